package desk

import (
	"context"
	"slices"
	"strconv"
)

func chanTarget(id int64) string { return "channel " + strconv.FormatInt(id, 10) }

// groupManager checks that the actor may manage groups.
func (c *change) groupManager() error {
	me, err := c.technician()
	if err != nil {
		return err
	}
	if !CanManageAccounts(me) {
		return Errorf(EFORBIDDEN, "only technical managers and owners manage groups")
	}
	return nil
}

// CreateGroup creates a technician group (account managers only).
func (s *Service) CreateGroup(ctx context.Context, actor Actor, g *Group) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return s.update(ctx, actor, func(c *change) error {
		if err := c.groupManager(); err != nil {
			return err
		}
		g.ID = 0
		if err := c.tx.CreateGroup(g); err != nil {
			return err
		}
		return c.audit("group_created", 0, 0, "group "+strconv.FormatInt(g.ID, 10), g.Name)
	})
}

// UpdateGroup renames or redescribes a group.
func (s *Service) UpdateGroup(ctx context.Context, actor Actor, g *Group) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return s.update(ctx, actor, func(c *change) error {
		if err := c.groupManager(); err != nil {
			return err
		}
		if err := c.tx.UpdateGroup(g); err != nil {
			return err
		}
		return c.audit("group_updated", 0, 0, "group "+strconv.FormatInt(g.ID, 10), g.Name)
	})
}

// DeleteGroup deletes a group and its memberships and routings.
func (s *Service) DeleteGroup(ctx context.Context, actor Actor, id int64) error {
	return s.update(ctx, actor, func(c *change) error {
		if err := c.groupManager(); err != nil {
			return err
		}
		if err := c.tx.DeleteGroup(id); err != nil {
			return err
		}
		return c.audit("group_deleted", 0, 0, "group "+strconv.FormatInt(id, 10), "")
	})
}

// ListGroups lists every group (any technician: groups are transfer targets).
func (s *Service) ListGroups(ctx context.Context, actor Actor) ([]*Group, error) {
	var out []*Group
	err := s.view(ctx, func(tx Tx) error {
		if _, err := freshTechnician(tx, actor); err != nil {
			return err
		}
		var err error
		out, err = tx.ListGroups()
		return err
	})
	return out, err
}

// CreateChannel creates a channel (technical managers and owners).
func (s *Service) CreateChannel(ctx context.Context, actor Actor, ch *Channel) error {
	if err := ch.Validate(); err != nil {
		return err
	}
	return s.update(ctx, actor, func(c *change) error {
		me, err := c.technician()
		if err != nil {
			return err
		}
		if !CanManageChannels(me) {
			return Errorf(EFORBIDDEN, "only technical managers and owners create channels")
		}
		if err := checkChannelRefs(c.tx, ch); err != nil {
			return err
		}
		ch.ID = 0
		if err := c.tx.CreateChannel(ch); err != nil {
			return err
		}
		if err := c.audit("channel_created", 0, ch.ID, chanTarget(ch.ID), ch.Name); err != nil {
			return err
		}
		return c.emit(&Event{Type: EventChannelChanged, ChannelID: ch.ID, Channel: ch})
	})
}

// UpdateChannel replaces a channel's settings. Its channel managers may
// configure it but not change who manages it.
func (s *Service) UpdateChannel(ctx context.Context, actor Actor, ch *Channel) error {
	if err := ch.Validate(); err != nil {
		return err
	}
	return s.update(ctx, actor, func(c *change) error {
		me, err := c.technician()
		if err != nil {
			return err
		}
		old, err := c.tx.Channel(ch.ID)
		if err != nil {
			return err
		}
		if !CanConfigureChannel(me, old) {
			if CanSeeChannel(me, old) {
				return Errorf(EFORBIDDEN, "only managers of channel %q may configure it", old.Name)
			}
			return Errorf(ENOTFOUND, "channel %d not found", ch.ID)
		}
		if !CanManageChannels(me) && !sameIDs(old.ManagerIDs, ch.ManagerIDs) {
			return Errorf(EFORBIDDEN, "only technical managers and owners change who manages a channel")
		}
		if err := checkChannelRefs(c.tx, ch); err != nil {
			return err
		}
		ch.CreatedAt = old.CreatedAt
		if err := c.tx.UpdateChannel(ch); err != nil {
			return err
		}
		if err := c.audit("channel_updated", 0, ch.ID, chanTarget(ch.ID), ch.Name); err != nil {
			return err
		}
		return c.emit(&Event{Type: EventChannelChanged, ChannelID: ch.ID, Channel: ch})
	})
}

// DeleteChannel deletes a channel without open sessions.
func (s *Service) DeleteChannel(ctx context.Context, actor Actor, id int64) error {
	return s.update(ctx, actor, func(c *change) error {
		me, err := c.technician()
		if err != nil {
			return err
		}
		if !CanManageChannels(me) {
			return Errorf(EFORBIDDEN, "only technical managers and owners delete channels")
		}
		ch, err := c.tx.Channel(id)
		if err != nil {
			return err
		}
		if err := c.tx.DeleteChannel(id); err != nil {
			return err
		}
		if err := c.audit("channel_deleted", 0, id, chanTarget(id), ch.Name); err != nil {
			return err
		}
		return c.emit(&Event{Type: EventChannelChanged, ChannelID: id, Channel: &Channel{ID: id, Name: ch.Name}})
	})
}

// Channel returns one channel the technician may see.
func (s *Service) Channel(ctx context.Context, actor Actor, id int64) (*Channel, error) {
	var out *Channel
	err := s.view(ctx, func(tx Tx) error {
		me, err := freshTechnician(tx, actor)
		if err != nil {
			return err
		}
		ch, err := tx.Channel(id)
		if err != nil {
			return err
		}
		if !CanSeeChannel(me, ch) {
			return Errorf(ENOTFOUND, "channel %d not found", id)
		}
		out = ch
		return nil
	})
	return out, err
}

// ListChannels lists the channels the technician may see.
func (s *Service) ListChannels(ctx context.Context, actor Actor) ([]*Channel, error) {
	var out []*Channel
	err := s.view(ctx, func(tx Tx) error {
		me, err := freshTechnician(tx, actor)
		if err != nil {
			return err
		}
		all, err := tx.ListChannels()
		if err != nil {
			return err
		}
		for _, ch := range all {
			if CanSeeChannel(me, ch) {
				out = append(out, ch)
			}
		}
		return nil
	})
	return out, err
}

// SOSChannels lists the channels that accept SOS Calls, for the agent's form.
func (s *Service) SOSChannels(ctx context.Context) ([]*Channel, error) {
	var out []*Channel
	err := s.view(ctx, func(tx Tx) error {
		all, err := tx.ListChannels()
		if err != nil {
			return err
		}
		for _, ch := range all {
			if ch.AcceptsSOS {
				out = append(out, ch)
			}
		}
		return nil
	})
	return out, err
}

func checkChannelRefs(tx Tx, ch *Channel) error {
	if err := checkGroups(tx, ch.GroupIDs); err != nil {
		return err
	}
	if err := checkAccounts(tx, ch.TechnicianIDs); err != nil {
		return err
	}
	return checkAccounts(tx, ch.ManagerIDs)
}

func sameIDs(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
