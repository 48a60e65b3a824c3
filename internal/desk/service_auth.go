package desk

import (
	"context"
	"strconv"
)

// Login checks a technician's e-mail and password and returns a new bearer
// token. Wrong e-mail and wrong password give the same error.
func (s *Service) Login(ctx context.Context, email, password, ip string) (string, *Account, error) {
	email = NormalizeEmail(email)
	bad := Errorf(EUNAUTHORIZED, "wrong email or password")
	if email == "" || password == "" || len(password) > 1024 {
		return "", nil, bad
	}
	var acct *Account
	var hash string
	err := s.view(ctx, func(tx Tx) error {
		var err error
		acct, hash, err = tx.AccountByEmail(email)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		// Spend the same time as a real check so timing does not reveal accounts.
		s.hasher.Verify(s.dummyHash(), password)
		return "", nil, bad
	}
	if err != nil {
		return "", nil, err
	}
	ok, err := s.hasher.Verify(hash, password)
	if err != nil {
		return "", nil, err
	}
	if !ok {
		return "", nil, bad
	}
	if acct.Disabled {
		return "", nil, Errorf(EUNAUTHORIZED, "account is disabled")
	}
	secret := NewSecret()
	err = s.update(ctx, Actor{Kind: ActorTechnician, Account: acct, IP: ip}, func(c *change) error {
		if err := c.tx.CreateToken(&Token{Hash: HashSecret(secret), Kind: TokenTechnician, AccountID: acct.ID, CreatedAt: c.at, ExpiresAt: c.at.Add(TechnicianTokenTTL)}); err != nil {
			return err
		}
		return c.audit("login", 0, 0, "account "+strconv.FormatInt(acct.ID, 10), "from "+ip)
	})
	if err != nil {
		return "", nil, err
	}
	return secret, acct, nil
}

// dummyHash is a real hash of no one's password, computed once, that
// unknown e-mails are checked against.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = s.hasher.Hash("tether-dummy-password") })
	return s.dummy
}

// Authenticate resolves a bearer token to its actor.
func (s *Service) Authenticate(ctx context.Context, token, ip string) (Actor, error) {
	bad := Errorf(EUNAUTHORIZED, "missing, invalid or expired token")
	if token == "" || len(token) > 256 {
		return Actor{}, bad
	}
	var actor Actor
	err := s.view(ctx, func(tx Tx) error {
		t, err := tx.TokenByHash(HashSecret(token))
		if ErrorCode(err) == ENOTFOUND {
			return bad
		}
		if err != nil {
			return err
		}
		if !s.Now().Before(t.ExpiresAt) {
			return bad
		}
		switch t.Kind {
		case TokenTechnician:
			a, err := tx.Account(t.AccountID)
			if err != nil {
				return bad
			}
			if a.Disabled {
				return Errorf(EUNAUTHORIZED, "account is disabled")
			}
			actor = Actor{Kind: ActorTechnician, Account: a, IP: ip}
		case TokenAgent:
			actor = Actor{Kind: ActorAgent, SessionID: t.SessionID, IP: ip}
		default:
			return bad
		}
		return nil
	})
	return actor, err
}

// Logout revokes a technician's token.
func (s *Service) Logout(ctx context.Context, actor Actor, token string) error {
	if _, err := actor.Technician(); err != nil {
		return err
	}
	return s.update(ctx, actor, func(c *change) error {
		if err := c.tx.DeleteToken(HashSecret(token)); err != nil && ErrorCode(err) != ENOTFOUND {
			return err
		}
		return c.audit("logout", 0, 0, "account "+strconv.FormatInt(actor.Account.ID, 10), "")
	})
}

// CreateOwner creates the first account, an owner, on an empty broker. It is
// refused once any account exists.
func (s *Service) CreateOwner(ctx context.Context, email, name, password string) (*Account, error) {
	a := &Account{Email: email, Name: name, Role: RoleOwner, Availability: Available}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if err := ValidatePassword(password); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, Actor{Kind: ActorSystem}, func(c *change) error {
		n, err := c.tx.CountAccounts()
		if err != nil {
			return err
		}
		if n > 0 {
			return Errorf(ECONFLICT, "the broker already has accounts; the first owner exists")
		}
		if err := c.tx.CreateAccount(a, hash); err != nil {
			return err
		}
		return c.audit("account_created", 0, 0, "account "+strconv.FormatInt(a.ID, 10), "first owner "+a.Email)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}
