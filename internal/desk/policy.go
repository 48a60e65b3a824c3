package desk

// Rights and visibility: pure functions the service calls inside the same
// transaction that loaded the account, session and channel, so a check and
// the change it guards see the same data.

// CanSee reports whether a technician may see a session: managers of its
// channel and its participants always; technicians the channel is routed to
// see unassigned sessions, and others' sessions only with RightSeeOthers.
func CanSee(a *Account, s *Session, ch *Channel) bool {
	switch {
	case a == nil || a.Disabled || s == nil || s.Deleted():
		return false
	case s.Participant(a.ID) || s.CreatedBy == a.ID:
		return true
	case ch == nil:
		return false
	case ch.ManagedBy(a):
		return true
	case ch.RoutedTo(a):
		return s.AssigneeID == 0 || a.Can(RightSeeOthers)
	}
	return false
}

// canWork reports whether a technician may act on a session as its
// assignee or as a manager of its channel.
func canWork(a *Account, s *Session, ch *Channel) bool {
	return s.AssigneeID == a.ID || ch != nil && ch.ManagedBy(a)
}

// Authorize decides whether a technician may apply an action to a session
// in a channel. target is the channel a transfer or claim moves it to (nil
// otherwise). It never reveals a session the technician cannot see.
func Authorize(a *Account, act Action, s *Session, ch, target *Channel) error {
	if a == nil || a.Disabled {
		return Errorf(EUNAUTHORIZED, "account is disabled")
	}
	need := func(r Right) error {
		if !a.Can(r) {
			return Errorf(EFORBIDDEN, "you do not have the %s right", r)
		}
		return nil
	}
	if act != ActionClaimCode && !CanSee(a, s, ch) {
		return Errorf(ENOTFOUND, "session not found")
	}
	switch act {
	case ActionTake:
		if err := need(RightTake); err != nil {
			return err
		}
		if !ch.RoutedTo(a) && !ch.ManagedBy(a) {
			return Errorf(EFORBIDDEN, "channel %q is not routed to you", ch.Name)
		}
	case ActionClaimCode:
		if err := need(RightTake); err != nil {
			return err
		}
		if target == nil || !target.RoutedTo(a) && !target.ManagedBy(a) {
			return Errorf(EFORBIDDEN, "you cannot take sessions into that channel")
		}
	case ActionRelease, ActionClose, ActionInvite, ActionDelete:
		r := map[Action]Right{ActionRelease: RightRelease, ActionClose: RightClose, ActionInvite: RightInvite, ActionDelete: RightDelete}[act]
		if err := need(r); err != nil {
			return err
		}
		if !canWork(a, s, ch) {
			return Errorf(EFORBIDDEN, "only the assignee or a manager of the channel may %s this session", act)
		}
	case ActionTransfer:
		if err := need(RightTransfer); err != nil {
			return err
		}
		if !canWork(a, s, ch) {
			return Errorf(EFORBIDDEN, "only the assignee or a manager of the channel may transfer this session")
		}
	case ActionRespond, ActionConnect:
		if !s.Participant(a.ID) && !ch.ManagedBy(a) {
			return Errorf(EFORBIDDEN, "only the session's technicians may do that")
		}
	default:
		return Errorf(EFORBIDDEN, "%s is not a technician action", act)
	}
	return nil
}

// CanCreateIn reports whether a technician may create support links in a channel.
func CanCreateIn(a *Account, ch *Channel) error {
	if !a.Can(RightCreateSession) {
		return Errorf(EFORBIDDEN, "you do not have the %s right", RightCreateSession)
	}
	if !ch.RoutedTo(a) && !ch.ManagedBy(a) {
		return Errorf(EFORBIDDEN, "channel %q is not routed to you", ch.Name)
	}
	return nil
}

// CanSeeChannel reports whether a technician may see a channel at all.
func CanSeeChannel(a *Account, ch *Channel) bool {
	return a != nil && !a.Disabled && (ch.RoutedTo(a) || ch.ManagedBy(a))
}

// CanConfigureChannel reports whether a technician may edit a channel's settings.
func CanConfigureChannel(a *Account, ch *Channel) bool { return ch.ManagedBy(a) }

// CanManageChannels reports whether a technician may create and delete channels.
func CanManageChannels(a *Account) bool {
	return a != nil && !a.Disabled && (a.Role == RoleOwner || a.Role == RoleTechManager)
}

// CanManageAccounts reports whether a technician may create and change
// technicians and groups.
func CanManageAccounts(a *Account) bool { return CanManageChannels(a) }

// CanSeeReports reports whether a technician may read reports and the audit
// log: technical managers and owners for everything, channel managers for
// their channels.
func CanSeeReports(a *Account) bool {
	return a != nil && !a.Disabled && a.Role >= RoleChannelManager
}
