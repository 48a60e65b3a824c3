package desk

import (
	"sort"
	"strings"
)

// Right is one granular session right. Rights is a set of them.
type Right uint32

// Rights is a bit set of Right values.
type Rights uint32

const (
	RightCreateSession Right = 1 << iota
	RightTake
	RightTransfer
	RightRelease
	RightClose
	RightDelete
	RightInvite
	RightRemoteControl
	RightFileTransfer
	RightSeeOthers
	rightEnd
)

// AllRights is every right.
const AllRights = Rights(rightEnd - 1)

var rightNames = map[Right]string{
	RightCreateSession: "create_session",
	RightTake:          "take",
	RightTransfer:      "transfer",
	RightRelease:       "release",
	RightClose:         "close",
	RightDelete:        "delete",
	RightInvite:        "invite",
	RightRemoteControl: "remote_control",
	RightFileTransfer:  "file_transfer",
	RightSeeOthers:     "see_others",
}

func (r Right) String() string {
	if s, ok := rightNames[r]; ok {
		return s
	}
	return "unknown"
}

// ParseRight parses a right name as written by String.
func ParseRight(s string) (Right, error) {
	for r, n := range rightNames {
		if n == s {
			return r, nil
		}
	}
	return 0, Errorf(EINVALID, "unknown right %q", s)
}

// Has reports whether the set contains r.
func (rs Rights) Has(r Right) bool { return rs&Rights(r) != 0 }

// Names lists the set's rights by name, sorted.
func (rs Rights) Names() []string {
	var out []string
	for r, n := range rightNames {
		if rs.Has(r) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// ParseRights parses a list of right names.
func ParseRights(names []string) (Rights, error) {
	var rs Rights
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		r, err := ParseRight(n)
		if err != nil {
			return 0, err
		}
		rs |= Rights(r)
	}
	return rs, nil
}

// DefaultRights are the rights a role gives before per-account overrides.
// A channel technician works sessions but cannot delete them or see other
// technicians' sessions; managers and owners have every right.
func DefaultRights(role Role) Rights {
	switch role {
	case RoleTechnician:
		return AllRights &^ Rights(RightDelete|RightSeeOthers)
	case RoleChannelManager, RoleTechManager, RoleOwner:
		return AllRights
	default:
		return 0
	}
}
