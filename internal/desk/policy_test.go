package desk

import "testing"

func TestRightsFromRoleAndOverrides(t *testing.T) {
	tests := []struct {
		name string
		a    Account
		r    Right
		want bool
	}{
		{"technician takes", Account{Role: RoleTechnician}, RightTake, true},
		{"technician cannot delete", Account{Role: RoleTechnician}, RightDelete, false},
		{"technician cannot see others", Account{Role: RoleTechnician}, RightSeeOthers, false},
		{"granted delete", Account{Role: RoleTechnician, Grant: Rights(RightDelete)}, RightDelete, true},
		{"revoked control", Account{Role: RoleTechnician, Revoke: Rights(RightRemoteControl)}, RightRemoteControl, false},
		{"revoke beats grant", Account{Role: RoleTechnician, Grant: Rights(RightDelete), Revoke: Rights(RightDelete)}, RightDelete, false},
		{"manager deletes", Account{Role: RoleChannelManager}, RightDelete, true},
		{"owner revoked transfer", Account{Role: RoleOwner, Revoke: Rights(RightTransfer)}, RightTransfer, false},
		{"disabled has nothing", Account{Role: RoleOwner, Disabled: true}, RightTake, false},
		{"unknown role has nothing", Account{}, RightTake, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Can(tt.r); got != tt.want {
				t.Fatalf("Can(%s) = %v, want %v", tt.r, got, tt.want)
			}
		})
	}
}

func TestAuthorizeMatrix(t *testing.T) {
	ch := &Channel{ID: 1, Name: "Design", GroupIDs: []int64{100}, ManagerIDs: []int64{3}}
	other := &Channel{ID: 2, Name: "Finance", GroupIDs: []int64{200}}
	owner := &Account{ID: 1, Role: RoleOwner}
	techMgr := &Account{ID: 2, Role: RoleTechManager}
	chanMgr := &Account{ID: 3, Role: RoleChannelManager}
	otherMgr := &Account{ID: 4, Role: RoleChannelManager}
	routed := &Account{ID: 5, Role: RoleTechnician, GroupIDs: []int64{100}}
	colleague := &Account{ID: 6, Role: RoleTechnician, GroupIDs: []int64{100}}
	notRouted := &Account{ID: 7, Role: RoleTechnician, GroupIDs: []int64{200}}
	noTake := &Account{ID: 8, Role: RoleTechnician, GroupIDs: []int64{100}, Revoke: Rights(RightTake)}
	seer := &Account{ID: 9, Role: RoleTechnician, GroupIDs: []int64{100}, Grant: Rights(RightSeeOthers)}
	disabled := &Account{ID: 10, Role: RoleOwner, Disabled: true}

	queued := &Session{ID: 1, ChannelID: 1, State: Queued}
	mine := &Session{ID: 2, ChannelID: 1, State: Active, AssigneeID: 5}

	ok, notFound, forbidden, unauth := "", ENOTFOUND, EFORBIDDEN, EUNAUTHORIZED
	tests := []struct {
		who    string
		a      *Account
		act    Action
		s      *Session
		target *Channel
		want   string
	}{
		{"routed takes queued", routed, ActionTake, queued, nil, ok},
		{"not routed cannot see queued", notRouted, ActionTake, queued, nil, notFound},
		{"revoked take", noTake, ActionTake, queued, nil, forbidden},
		{"channel manager takes", chanMgr, ActionTake, queued, nil, ok},
		{"other channel's manager cannot see", otherMgr, ActionTake, queued, nil, notFound},
		{"tech manager takes", techMgr, ActionTake, queued, nil, ok},
		{"owner closes others'", owner, ActionClose, mine, nil, ok},
		{"disabled owner", disabled, ActionClose, mine, nil, unauth},

		{"assignee releases", routed, ActionRelease, mine, nil, ok},
		{"assignee closes", routed, ActionClose, mine, nil, ok},
		{"assignee cannot delete", routed, ActionDelete, mine, nil, forbidden},
		{"channel manager deletes", chanMgr, ActionDelete, mine, nil, ok},
		{"colleague cannot see assigned", colleague, ActionClose, mine, nil, notFound},
		{"see-others colleague sees but cannot close", seer, ActionClose, mine, nil, forbidden},
		{"see-others colleague cannot release", seer, ActionRelease, mine, nil, forbidden},
		{"assignee transfers", routed, ActionTransfer, mine, other, ok},
		{"assignee invites", routed, ActionInvite, mine, nil, ok},
		{"assignee responds", routed, ActionRespond, mine, nil, ok},
		{"manager connects", chanMgr, ActionConnect, mine, nil, ok},
		{"see-others colleague cannot connect", seer, ActionConnect, mine, nil, forbidden},

		{"claim into routed channel", routed, ActionClaimCode, &Session{ID: 3, Kind: KindCode, State: Waiting}, ch, ok},
		{"claim into foreign channel", routed, ActionClaimCode, &Session{ID: 3, Kind: KindCode, State: Waiting}, other, forbidden},
		{"claim without take right", noTake, ActionClaimCode, &Session{ID: 3, Kind: KindCode, State: Waiting}, ch, forbidden},
		{"agent-only action refused", routed, ActionAgentJoin, mine, nil, forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			var chOf *Channel
			if tt.s.ChannelID == 1 {
				chOf = ch
			}
			err := Authorize(tt.a, tt.act, tt.s, chOf, tt.target)
			if got := ErrorCode(err); got != tt.want {
				t.Fatalf("Authorize = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestEventVisibility(t *testing.T) {
	ch := &Channel{ID: 1, GroupIDs: []int64{100}}
	routed := &Account{ID: 5, Role: RoleTechnician, GroupIDs: []int64{100}}
	stranger := &Account{ID: 7, Role: RoleTechnician}
	prev := &Account{ID: 8, Role: RoleTechnician}
	sos := &Session{ID: 1, ChannelID: 1, State: Queued}
	tests := []struct {
		name string
		e    *Event
		a    *Account
		want bool
	}{
		{"new request reaches routed", &Event{Type: EventSessionCreated, Session: sos}, routed, true},
		{"new request skips stranger", &Event{Type: EventSessionCreated, Session: sos}, stranger, false},
		{"invitation reaches addressee", &Event{Type: EventInvitation, Session: &Session{ID: 2, ChannelID: 9, AssigneeID: 1}, AccountID: 7}, stranger, true},
		{"transfer reaches previous assignee", &Event{Type: EventSessionUpdated, Session: &Session{ID: 3, ChannelID: 9, AssigneeID: 1}, Also: []int64{8}}, prev, true},
		{"channel change reaches routed", &Event{Type: EventChannelChanged, Channel: ch}, routed, true},
		{"channel change skips stranger", &Event{Type: EventChannelChanged, Channel: ch}, stranger, false},
		{"own account change", &Event{Type: EventAccountChanged, Account: stranger}, stranger, true},
		{"others' account change", &Event{Type: EventAccountChanged, Account: routed}, stranger, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.VisibleTo(tt.a, ch); got != tt.want {
				t.Fatalf("VisibleTo = %v, want %v", got, tt.want)
			}
		})
	}
	if !(&Event{Type: EventConsentRequested}).ForAgent() || (&Event{Type: EventInvitation}).ForAgent() {
		t.Error("agents must get consent requests and never invitations")
	}
}
