package api

import (
	"time"

	"github.com/tetherdesk/tether/internal/desk"
)

// Channel is a channel's settings.
type Channel struct {
	ID                    int64     `json:"id"`
	Name                  string    `json:"name"`
	Description           string    `json:"description"`
	GroupIDs              []int64   `json:"group_ids"`
	TechnicianIDs         []int64   `json:"technician_ids"`
	ManagerIDs            []int64   `json:"manager_ids"`
	ExpirationSeconds     int64     `json:"expiration_seconds"`
	SLAResponseSeconds    int64     `json:"sla_response_seconds"`
	FirstLineLimitSeconds int64     `json:"first_line_limit_seconds"`
	AcceptsSOS            bool      `json:"accepts_sos"`
	FileTypes             []string  `json:"file_types"`
	MaxFileSize           int64     `json:"max_file_size"`
	CreatedAt             time.Time `json:"created_at"`
	// Deleted is set in channel.changed events for a deleted channel.
	Deleted bool `json:"deleted,omitempty"`
}

// FromChannel converts a desk channel.
func FromChannel(c *desk.Channel) Channel {
	return Channel{
		ID: c.ID, Name: c.Name, Description: c.Description,
		GroupIDs: ids(c.GroupIDs), TechnicianIDs: ids(c.TechnicianIDs), ManagerIDs: ids(c.ManagerIDs),
		ExpirationSeconds: Seconds(c.Expiration), SLAResponseSeconds: Seconds(c.SLAResponse),
		FirstLineLimitSeconds: Seconds(c.FirstLineLimit), AcceptsSOS: c.AcceptsSOS,
		FileTypes: strs(c.FileTypes), MaxFileSize: c.MaxFileSize, CreatedAt: c.CreatedAt.UTC(),
	}
}

// FromChannels converts a list of channels.
func FromChannels(list []*desk.Channel) []Channel {
	out := make([]Channel, 0, len(list))
	for _, c := range list {
		out = append(out, FromChannel(c))
	}
	return out
}

// ChannelRequest is the body of POST /channels and PUT /channels/{id}. PUT
// replaces every setting; zero durations, an absent file_types list and a
// zero max_file_size take the defaults.
type ChannelRequest struct {
	Name                  string   `json:"name"`
	Description           string   `json:"description,omitempty"`
	GroupIDs              []int64  `json:"group_ids,omitempty"`
	TechnicianIDs         []int64  `json:"technician_ids,omitempty"`
	ManagerIDs            []int64  `json:"manager_ids,omitempty"`
	ExpirationSeconds     int64    `json:"expiration_seconds,omitempty"`
	SLAResponseSeconds    int64    `json:"sla_response_seconds,omitempty"`
	FirstLineLimitSeconds int64    `json:"first_line_limit_seconds,omitempty"`
	AcceptsSOS            bool     `json:"accepts_sos,omitempty"`
	FileTypes             []string `json:"file_types,omitempty"`
	MaxFileSize           int64    `json:"max_file_size,omitempty"`
}

// ToChannel converts the request to a desk channel with the given id.
func (r *ChannelRequest) ToChannel(id int64) (*desk.Channel, error) {
	c := &desk.Channel{
		ID: id, Name: r.Name, Description: r.Description,
		GroupIDs: r.GroupIDs, TechnicianIDs: r.TechnicianIDs, ManagerIDs: r.ManagerIDs,
		AcceptsSOS: r.AcceptsSOS, FileTypes: r.FileTypes, MaxFileSize: r.MaxFileSize,
	}
	var err error
	if c.Expiration, err = Duration("expiration_seconds", r.ExpirationSeconds); err != nil {
		return nil, err
	}
	if c.SLAResponse, err = Duration("sla_response_seconds", r.SLAResponseSeconds); err != nil {
		return nil, err
	}
	if c.FirstLineLimit, err = Duration("first_line_limit_seconds", r.FirstLineLimitSeconds); err != nil {
		return nil, err
	}
	return c, nil
}

// SOSChannel is what the agent's SOS Call form shows of a channel.
type SOSChannel struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// FromSOSChannels converts the channels accepting SOS Calls.
func FromSOSChannels(list []*desk.Channel) []SOSChannel {
	out := make([]SOSChannel, 0, len(list))
	for _, c := range list {
		out = append(out, SOSChannel{ID: c.ID, Name: c.Name, Description: c.Description})
	}
	return out
}
