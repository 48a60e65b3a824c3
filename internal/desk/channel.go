package desk

import (
	"path"
	"strings"
	"time"
)

// Channel defaults.
const (
	DefaultExpiration     = 24 * time.Hour
	DefaultSLAResponse    = 5 * time.Minute
	DefaultFirstLineLimit = 15 * time.Minute
	DefaultMaxFileSize    = 25 << 20
	MaxFileSizeLimit      = 2 << 30
)

// DefaultFileTypes are the attachment types a channel allows unless
// configured otherwise.
var DefaultFileTypes = []string{"jpeg", "jpg", "png", "gif", "bmp", "tiff", "pdf", "doc", "docx", "odt", "xls", "xlsx", "ppt", "pptx", "pps", "ppsx", "log", "cfg", "rar", "zip", "txt"}

// Channel groups end users or computers (a department, a customer, a
// platform) like a queue, routed to technician groups and single technicians.
type Channel struct {
	ID          int64
	Name        string
	Description string
	// GroupIDs and TechnicianIDs are who the channel's requests are routed to.
	GroupIDs      []int64
	TechnicianIDs []int64
	// ManagerIDs are the channel managers who configure it and manage all its sessions.
	ManagerIDs []int64
	// Expiration is how long a session may stay Waiting or Queued.
	Expiration time.Duration
	// SLAResponse is the first-response target.
	SLAResponse time.Duration
	// FirstLineLimit is how long first line works a taken session before
	// transfer to second line is suggested.
	FirstLineLimit time.Duration
	AcceptsSOS     bool
	// FileTypes are allowed attachment extensions, lower case, without dot.
	FileTypes   []string
	MaxFileSize int64
	CreatedAt   time.Time
}

// Validate checks the fields and fills defaults for unset durations and
// file settings.
func (c *Channel) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	if err := validText("name", c.Name, 1, 100); err != nil {
		return err
	}
	if err := validText("description", c.Description, 0, 1000); err != nil {
		return err
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"expiration", &c.Expiration, DefaultExpiration},
		{"sla_response", &c.SLAResponse, DefaultSLAResponse},
		{"first_line_limit", &c.FirstLineLimit, DefaultFirstLineLimit},
	} {
		switch {
		case *d.v == 0:
			*d.v = d.def
		case *d.v < time.Minute || *d.v > 365*24*time.Hour:
			return Errorf(EINVALID, "%s must be between 1 minute and 365 days", d.name)
		}
	}
	if c.FileTypes == nil {
		c.FileTypes = append([]string(nil), DefaultFileTypes...)
	}
	for i, t := range c.FileTypes {
		t = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(t), "."))
		if t == "" || len(t) > 16 || strings.ContainsAny(t, "./\\ \x00") {
			return Errorf(EINVALID, "file type %q is not a plain extension", c.FileTypes[i])
		}
		c.FileTypes[i] = t
	}
	if c.MaxFileSize == 0 {
		c.MaxFileSize = DefaultMaxFileSize
	}
	if c.MaxFileSize < 0 || c.MaxFileSize > MaxFileSizeLimit {
		return Errorf(EINVALID, "max_file_size must be between 1 byte and %d bytes", int64(MaxFileSizeLimit))
	}
	return nil
}

// RoutedTo reports whether the channel's requests go to the account, through
// one of its groups or by name.
func (c *Channel) RoutedTo(a *Account) bool {
	return a != nil && (contains(c.TechnicianIDs, a.ID) || a.InGroup(c.GroupIDs))
}

// ManagedBy reports whether the account manages every session of the
// channel: technical managers and owners manage all channels, channel
// managers those that name them.
func (c *Channel) ManagedBy(a *Account) bool {
	if a == nil || a.Disabled {
		return false
	}
	switch a.Role {
	case RoleOwner, RoleTechManager:
		return true
	case RoleChannelManager:
		return contains(c.ManagerIDs, a.ID)
	}
	return false
}

// AllowsFile checks an attachment's name and size against the channel's
// settings.
func (c *Channel) AllowsFile(name string, size int64) error {
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
	if ext == "" || !containsString(c.FileTypes, ext) {
		return Errorf(EINVALID, "files of type %q are not allowed in channel %q (allowed: %s)", ext, c.Name, strings.Join(c.FileTypes, ", "))
	}
	if size > c.MaxFileSize {
		return Errorf(ETOOLARGE, "file is %d bytes; channel %q allows at most %d", size, c.Name, c.MaxFileSize)
	}
	return nil
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
