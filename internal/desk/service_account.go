package desk

import (
	"context"
	"fmt"
	"slices"
	"strconv"
)

// AccountPatch lists the account fields to change; nil fields stay.
type AccountPatch struct {
	Name     *string
	Role     *Role
	Grant    *Rights
	Revoke   *Rights
	GroupIDs *[]int64
	Disabled *bool
	Password *string
}

func acctTarget(id int64) string { return "account " + strconv.FormatInt(id, 10) }

// CreateAccount creates a technician account. Technical managers create
// roles below their own; owners create any.
func (s *Service) CreateAccount(ctx context.Context, actor Actor, a *Account, password string) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if err := ValidatePassword(password); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return err
	}
	a.ID, a.Disabled = 0, false
	return s.update(ctx, actor, func(c *change) error {
		me, err := c.technician()
		if err != nil {
			return err
		}
		if !CanManageAccounts(me) || !me.Role.Outranks(a.Role) {
			return Errorf(EFORBIDDEN, "you may not create %s accounts", a.Role)
		}
		if err := checkGroups(c.tx, a.GroupIDs); err != nil {
			return err
		}
		if err := c.tx.CreateAccount(a, hash); err != nil {
			return err
		}
		if err := c.audit("account_created", 0, 0, acctTarget(a.ID), a.Email+" as "+a.Role.String()); err != nil {
			return err
		}
		return c.emit(&Event{Type: EventAccountChanged, Account: a})
	})
}

// UpdateAccount changes a technician account. Managers change accounts they
// outrank; everyone may change their own name and password but not their
// own role, rights or state.
func (s *Service) UpdateAccount(ctx context.Context, actor Actor, id int64, p AccountPatch) (*Account, error) {
	var hash string
	if p.Password != nil {
		if err := ValidatePassword(*p.Password); err != nil {
			return nil, err
		}
		var err error
		if hash, err = s.hasher.Hash(*p.Password); err != nil {
			return nil, err
		}
	}
	var out *Account
	err := s.update(ctx, actor, func(c *change) error {
		me, err := c.technician()
		if err != nil {
			return err
		}
		a, err := c.tx.Account(id)
		if err != nil {
			return err
		}
		self := me.ID == a.ID
		privileged := p.Role != nil || p.Grant != nil || p.Revoke != nil || p.GroupIDs != nil || p.Disabled != nil
		switch {
		case self && privileged:
			return Errorf(EFORBIDDEN, "you may not change your own role, rights, groups or state")
		case !self && (!CanManageAccounts(me) || !me.Role.Outranks(a.Role)):
			return Errorf(EFORBIDDEN, "you may not change this account")
		case p.Role != nil && !me.Role.Outranks(*p.Role):
			return Errorf(EFORBIDDEN, "you may not give the %s role", *p.Role)
		}
		var what []string
		if p.Name != nil {
			a.Name = *p.Name
			what = append(what, "name")
		}
		if p.Role != nil {
			a.Role = *p.Role
			what = append(what, "role="+a.Role.String())
		}
		if p.Grant != nil {
			a.Grant = *p.Grant & AllRights
			what = append(what, fmt.Sprintf("grant=%v", a.Grant.Names()))
		}
		if p.Revoke != nil {
			a.Revoke = *p.Revoke & AllRights
			what = append(what, fmt.Sprintf("revoke=%v", a.Revoke.Names()))
		}
		if p.GroupIDs != nil {
			if err := checkGroups(c.tx, *p.GroupIDs); err != nil {
				return err
			}
			a.GroupIDs = slices.Clone(*p.GroupIDs)
			what = append(what, "groups")
		}
		if p.Disabled != nil {
			a.Disabled = *p.Disabled
			what = append(what, fmt.Sprintf("disabled=%t", a.Disabled))
		}
		if err := a.Validate(); err != nil {
			return err
		}
		if err := c.tx.UpdateAccount(a); err != nil {
			return err
		}
		if p.Password != nil {
			if err := c.tx.SetPassword(a.ID, hash); err != nil {
				return err
			}
			what = append(what, "password")
		}
		out = a
		if err := c.audit("account_updated", 0, 0, acctTarget(a.ID), fmt.Sprint(what)); err != nil {
			return err
		}
		return c.emit(&Event{Type: EventAccountChanged, Account: a})
	})
	return out, err
}

// SetAvailability sets the calling technician's availability.
func (s *Service) SetAvailability(ctx context.Context, actor Actor, av Availability) (*Account, error) {
	if av == AvailabilityUnknown {
		return nil, Errorf(EINVALID, "availability is required")
	}
	var out *Account
	err := s.update(ctx, actor, func(c *change) error {
		me, err := c.technician()
		if err != nil {
			return err
		}
		me.Availability = av
		if err := c.tx.UpdateAccount(me); err != nil {
			return err
		}
		out = me
		if err := c.audit("availability", 0, 0, acctTarget(me.ID), av.String()); err != nil {
			return err
		}
		return c.emit(&Event{Type: EventAccountChanged, Account: me})
	})
	return out, err
}

// ListAccounts lists technicians: every technician sees enabled colleagues
// (to transfer and invite); account managers also see disabled ones.
func (s *Service) ListAccounts(ctx context.Context, actor Actor) ([]*Account, error) {
	var out []*Account
	err := s.view(ctx, func(tx Tx) error {
		me, err := freshTechnician(tx, actor)
		if err != nil {
			return err
		}
		all, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		for _, a := range all {
			if !a.Disabled || CanManageAccounts(me) {
				out = append(out, a)
			}
		}
		return nil
	})
	return out, err
}

// Me returns the calling technician's account as stored now.
func (s *Service) Me(ctx context.Context, actor Actor) (*Account, error) {
	var out *Account
	err := s.view(ctx, func(tx Tx) error {
		var err error
		out, err = freshTechnician(tx, actor)
		return err
	})
	return out, err
}

func checkGroups(tx Tx, ids []int64) error {
	for _, id := range ids {
		if _, err := tx.Group(id); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return Errorf(EINVALID, "group %d does not exist", id)
			}
			return err
		}
	}
	return nil
}

func checkAccounts(tx Tx, ids []int64) error {
	for _, id := range ids {
		if _, err := tx.Account(id); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return Errorf(EINVALID, "technician %d does not exist", id)
			}
			return err
		}
	}
	return nil
}
