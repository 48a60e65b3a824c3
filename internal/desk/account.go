package desk

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Account is a technician's account. End users have none.
type Account struct {
	ID    int64
	Email string
	Name  string
	Role  Role
	// Grant and Revoke override the role's default rights for this account.
	Grant  Rights
	Revoke Rights
	// GroupIDs are the technician groups the account belongs to.
	GroupIDs     []int64
	Availability Availability
	Disabled     bool
	CreatedAt    time.Time
}

// Rights is the account's effective right set: the role's defaults plus
// grants minus revocations.
func (a *Account) Rights() Rights {
	return (DefaultRights(a.Role) | a.Grant) &^ a.Revoke
}

// Can reports whether the account holds right r.
func (a *Account) Can(r Right) bool { return a != nil && !a.Disabled && a.Rights().Has(r) }

// InGroup reports whether the account belongs to any of the groups.
func (a *Account) InGroup(ids []int64) bool {
	for _, g := range a.GroupIDs {
		for _, id := range ids {
			if g == id {
				return true
			}
		}
	}
	return false
}

// NormalizeEmail lower-cases and trims an e-mail address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks the fields a client can set.
func (a *Account) Validate() error {
	a.Email = NormalizeEmail(a.Email)
	a.Name = strings.TrimSpace(a.Name)
	if a.Email == "" || len(a.Email) > 254 {
		return Errorf(EINVALID, "email is required (at most 254 characters)")
	}
	if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email {
		return Errorf(EINVALID, "email %q is not a valid address", a.Email)
	}
	if err := validText("name", a.Name, 1, 100); err != nil {
		return err
	}
	if !a.Role.Valid() {
		return Errorf(EINVALID, "role is required")
	}
	if a.Availability == AvailabilityUnknown {
		a.Availability = Away
	}
	return nil
}

// MinPasswordLength is the shortest password accepted for an account.
const MinPasswordLength = 10

// ValidatePassword checks a new password's length.
func ValidatePassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return Errorf(EINVALID, "password must have at least %d characters", MinPasswordLength)
	}
	if len(pw) > 1024 {
		return Errorf(EINVALID, "password is too long (at most 1024 bytes)")
	}
	return nil
}

// validText checks a user-supplied string's length in characters and that
// it is valid UTF-8 without control characters.
func validText(field, s string, min, max int) error {
	if !utf8.ValidString(s) {
		return Errorf(EINVALID, "%s is not valid UTF-8", field)
	}
	n := utf8.RuneCountInString(s)
	if n < min {
		if min == 1 {
			return Errorf(EINVALID, "%s is required", field)
		}
		return Errorf(EINVALID, "%s must have at least %d characters", field, min)
	}
	if n > max {
		return Errorf(EINVALID, "%s is too long (at most %d characters)", field, max)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return Errorf(EINVALID, "%s contains control characters", field)
		}
	}
	return nil
}
