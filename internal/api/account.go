package api

import (
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

// LoginRequest is the body of POST /login.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// LoginResponse carries the technician's bearer token, shown once.
type LoginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Account   Account   `json:"account"`
}

// Account is a technician account. Rights is the effective right set (the
// role's defaults plus Grant minus Revoke).
type Account struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	Rights       []string  `json:"rights"`
	Grant        []string  `json:"grant"`
	Revoke       []string  `json:"revoke"`
	GroupIDs     []int64   `json:"group_ids"`
	Availability string    `json:"availability"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
}

// FromAccount converts a desk account for the wire.
func FromAccount(a *desk.Account) Account {
	return Account{
		ID: a.ID, Email: a.Email, Name: a.Name, Role: a.Role.String(),
		Rights: strs(a.Rights().Names()), Grant: strs(a.Grant.Names()), Revoke: strs(a.Revoke.Names()),
		GroupIDs: ids(a.GroupIDs), Availability: a.Availability.String(), Disabled: a.Disabled,
		CreatedAt: a.CreatedAt.UTC(),
	}
}

// FromAccounts converts a list of accounts.
func FromAccounts(list []*desk.Account) []Account {
	out := make([]Account, 0, len(list))
	for _, a := range list {
		out = append(out, FromAccount(a))
	}
	return out
}

// AvailabilityRequest is the body of PUT /me/availability.
type AvailabilityRequest struct {
	Availability string `json:"availability"`
}

// CreateTechnicianRequest is the body of POST /technicians.
type CreateTechnicianRequest struct {
	Email        string   `json:"email"`
	Name         string   `json:"name"`
	Role         string   `json:"role"`
	Password     string   `json:"password"`
	GroupIDs     []int64  `json:"group_ids,omitempty"`
	Grant        []string `json:"grant,omitempty"`
	Revoke       []string `json:"revoke,omitempty"`
	Availability string   `json:"availability,omitempty"`
}

// ToAccount converts the request to a desk account and its password.
func (r *CreateTechnicianRequest) ToAccount() (*desk.Account, error) {
	role, err := desk.ParseRole(r.Role)
	if err != nil {
		return nil, err
	}
	a := &desk.Account{Email: r.Email, Name: r.Name, Role: role, GroupIDs: r.GroupIDs}
	if a.Grant, err = desk.ParseRights(r.Grant); err != nil {
		return nil, err
	}
	if a.Revoke, err = desk.ParseRights(r.Revoke); err != nil {
		return nil, err
	}
	if r.Availability != "" {
		if a.Availability, err = desk.ParseAvailability(r.Availability); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// UpdateTechnicianRequest is the body of PATCH /technicians/{id}; absent
// fields stay unchanged.
type UpdateTechnicianRequest struct {
	Name     *string   `json:"name,omitempty"`
	Role     *string   `json:"role,omitempty"`
	Grant    *[]string `json:"grant,omitempty"`
	Revoke   *[]string `json:"revoke,omitempty"`
	GroupIDs *[]int64  `json:"group_ids,omitempty"`
	Disabled *bool     `json:"disabled,omitempty"`
	Password *string   `json:"password,omitempty"`
}

// ToPatch converts the request to a desk account patch.
func (r *UpdateTechnicianRequest) ToPatch() (desk.AccountPatch, error) {
	p := desk.AccountPatch{Name: r.Name, GroupIDs: r.GroupIDs, Disabled: r.Disabled, Password: r.Password}
	if r.Role != nil {
		role, err := desk.ParseRole(*r.Role)
		if err != nil {
			return p, err
		}
		p.Role = &role
	}
	for _, f := range []struct {
		in  *[]string
		out **desk.Rights
	}{{r.Grant, &p.Grant}, {r.Revoke, &p.Revoke}} {
		if f.in == nil {
			continue
		}
		rs, err := desk.ParseRights(*f.in)
		if err != nil {
			return p, err
		}
		*f.out = &rs
	}
	return p, nil
}

// Group is a technician group.
type Group struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
}

// FromGroup converts a desk group.
func FromGroup(g *desk.Group) Group {
	return Group{ID: g.ID, Name: g.Name, Description: g.Description, CreatedAt: g.CreatedAt.UTC()}
}

// FromGroups converts a list of groups.
func FromGroups(list []*desk.Group) []Group {
	out := make([]Group, 0, len(list))
	for _, g := range list {
		out = append(out, FromGroup(g))
	}
	return out
}

// GroupRequest is the body of POST /groups and PATCH /groups/{id} (absent
// fields stay unchanged on PATCH).
type GroupRequest struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}
