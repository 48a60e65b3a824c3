package desk

// Role is a technician account's role. The zero value is invalid.
type Role int

const (
	RoleUnknown Role = iota
	// RoleTechnician takes unassigned sessions in the channels routed to
	// their groups and works the sessions assigned to them.
	RoleTechnician
	// RoleChannelManager can also configure the channels they manage and
	// manage every session in them.
	RoleChannelManager
	// RoleTechManager manages every channel, session, technician and group
	// (but not owners) and sees reports.
	RoleTechManager
	// RoleOwner can do everything, including managing other managers.
	RoleOwner
)

var roleNames = map[Role]string{
	RoleTechnician:     "technician",
	RoleChannelManager: "channel_manager",
	RoleTechManager:    "tech_manager",
	RoleOwner:          "owner",
}

func (r Role) String() string {
	if s, ok := roleNames[r]; ok {
		return s
	}
	return "unknown"
}

// ParseRole parses a role name as written by String.
func ParseRole(s string) (Role, error) {
	for r, n := range roleNames {
		if n == s {
			return r, nil
		}
	}
	return RoleUnknown, Errorf(EINVALID, "unknown role %q (want technician, channel_manager, tech_manager or owner)", s)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleNames[r]; return ok }

// Outranks reports whether an account with role r may manage an account with
// role o: owners manage everyone, technical managers manage roles below
// their own, nobody else manages accounts.
func (r Role) Outranks(o Role) bool {
	switch r {
	case RoleOwner:
		return true
	case RoleTechManager:
		return o < RoleTechManager
	default:
		return false
	}
}
