package desk

import (
	"strings"
	"time"
)

// Group is a technician group, organised by customer, expertise or tier
// ("Mac experts", "Tier 2"). Membership is stored on the accounts.
type Group struct {
	ID          int64
	Name        string
	Description string
	CreatedAt   time.Time
}

// Validate checks the fields a client can set.
func (g *Group) Validate() error {
	g.Name = strings.TrimSpace(g.Name)
	if err := validText("name", g.Name, 1, 100); err != nil {
		return err
	}
	return validText("description", g.Description, 0, 1000)
}
