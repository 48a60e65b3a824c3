package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tetherdesk/tether/internal/desk"
)

var channelColumns = `c.id, c.name, c.description, c.expiration, c.sla_response, c.first_line_limit,
	c.accepts_sos, c.file_types, c.max_file_size, c.created_at, ` +
	channelGroups.selectExpr("c") + ", " + channelTechnicians.selectExpr("c") + ", " + channelManagers.selectExpr("c")

func scanChannel(sc scanner) (*desk.Channel, error) {
	var (
		c                       desk.Channel
		fileTypes               string
		created                 int64
		groups, techs, managers sql.NullString
	)
	if err := sc.Scan(&c.ID, &c.Name, &c.Description, &c.Expiration, &c.SLAResponse, &c.FirstLineLimit,
		&c.AcceptsSOS, &fileTypes, &c.MaxFileSize, &created, &groups, &techs, &managers); err != nil {
		return nil, err
	}
	c.CreatedAt = fromUnixNano(created)
	if err := json.Unmarshal([]byte(fileTypes), &c.FileTypes); err != nil {
		return nil, fmt.Errorf("channel %d file types: %w", c.ID, err)
	}
	var err error
	if c.GroupIDs, err = parseIDs(groups); err != nil {
		return nil, err
	}
	if c.TechnicianIDs, err = parseIDs(techs); err != nil {
		return nil, err
	}
	if c.ManagerIDs, err = parseIDs(managers); err != nil {
		return nil, err
	}
	return &c, nil
}

// setChannelLists stores the channel's routing and manager lists.
func (t *tx) setChannelLists(c *desk.Channel) error {
	if err := channelGroups.set(t, c.ID, c.GroupIDs); err != nil {
		return err
	}
	if err := channelTechnicians.set(t, c.ID, c.TechnicianIDs); err != nil {
		return err
	}
	return channelManagers.set(t, c.ID, c.ManagerIDs)
}

// CreateChannel inserts c, setting its ID, and its CreatedAt unless set.
// Channel names are unique regardless of case: end users pick a channel
// by name.
func (t *tx) CreateChannel(c *desk.Channel) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now()
	}
	c.CreatedAt = utc(c.CreatedAt)
	fileTypes, err := json.Marshal(c.FileTypes)
	if err != nil {
		return fmt.Errorf("store: create channel: %w", err)
	}
	res, err := t.exec(`INSERT INTO channels (name, description, expiration, sla_response, first_line_limit,
		accepts_sos, file_types, max_file_size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Name, c.Description, c.Expiration, c.SLAResponse, c.FirstLineLimit, c.AcceptsSOS, string(fileTypes),
		c.MaxFileSize, unixNano(c.CreatedAt))
	if isUnique(err) {
		return desk.Errorf(desk.ECONFLICT, "a channel named %q already exists", c.Name)
	}
	if err != nil {
		return fmt.Errorf("store: create channel: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("store: create channel: %w", err)
	}
	c.ID = id
	if err := t.setChannelLists(c); err != nil {
		c.ID = 0 // the caller's Update rolls the row back
		return err
	}
	return nil
}

// Channel returns the channel with the given ID.
func (t *tx) Channel(id int64) (*desk.Channel, error) {
	c, err := scanChannel(t.queryRow("SELECT "+channelColumns+" FROM channels c WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, desk.Errorf(desk.ENOTFOUND, "channel %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: channel %d: %w", id, err)
	}
	return c, nil
}

// UpdateChannel stores every field of c but CreatedAt.
func (t *tx) UpdateChannel(c *desk.Channel) error {
	fileTypes, err := json.Marshal(c.FileTypes)
	if err != nil {
		return fmt.Errorf("store: update channel %d: %w", c.ID, err)
	}
	res, err := t.exec(`UPDATE channels SET name = ?, description = ?, expiration = ?, sla_response = ?,
		first_line_limit = ?, accepts_sos = ?, file_types = ?, max_file_size = ? WHERE id = ?`,
		c.Name, c.Description, c.Expiration, c.SLAResponse, c.FirstLineLimit, c.AcceptsSOS, string(fileTypes),
		c.MaxFileSize, c.ID)
	if isUnique(err) {
		return desk.Errorf(desk.ECONFLICT, "a channel named %q already exists", c.Name)
	}
	if err != nil {
		return fmt.Errorf("store: update channel %d: %w", c.ID, err)
	}
	if err := affected(res, func() error { return desk.Errorf(desk.ENOTFOUND, "channel %d not found", c.ID) }); err != nil {
		return err
	}
	return t.setChannelLists(c)
}

// DeleteChannel deletes a channel that has no open sessions. Its closed and
// expired sessions and their ratings stay, without a channel.
func (t *tx) DeleteChannel(id int64) error {
	var open int
	err := t.queryRow("SELECT COUNT(*) FROM sessions WHERE channel_id = ? AND state IN (?, ?, ?) AND deleted_at = 0",
		id, desk.Waiting, desk.Active, desk.Queued).Scan(&open)
	if err != nil {
		return fmt.Errorf("store: delete channel %d: %w", id, err)
	}
	if open > 0 {
		return desk.Errorf(desk.ECONFLICT, "channel %d still has %d open sessions; close or transfer them first", id, open)
	}
	res, err := t.exec("DELETE FROM channels WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("store: delete channel %d: %w", id, err)
	}
	return affected(res, func() error { return desk.Errorf(desk.ENOTFOUND, "channel %d not found", id) })
}

// ListChannels returns every channel, by name.
func (t *tx) ListChannels() ([]*desk.Channel, error) {
	rows, err := t.query("SELECT " + channelColumns + " FROM channels c ORDER BY c.name COLLATE NOCASE, c.id")
	return collect(rows, err, "list channels", scanChannel)
}
