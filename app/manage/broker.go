package manage

import (
	"context"
	"io"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/apiclient"
)

// broker is the part of the broker's API the manager screens use. The
// screens hold it rather than *apiclient.Client so the calls they make are
// listed in one place.
type broker interface {
	ListChannels(ctx context.Context) ([]api.Channel, error)
	CreateChannel(ctx context.Context, req api.ChannelRequest) (*api.Channel, error)
	UpdateChannel(ctx context.Context, id int64, req api.ChannelRequest) (*api.Channel, error)
	DeleteChannel(ctx context.Context, id int64) error

	ListGroups(ctx context.Context) ([]api.Group, error)
	CreateGroup(ctx context.Context, name, description string) (*api.Group, error)
	UpdateGroup(ctx context.Context, id int64, req api.GroupRequest) (*api.Group, error)
	DeleteGroup(ctx context.Context, id int64) error

	ListTechnicians(ctx context.Context) ([]api.Account, error)
	CreateTechnician(ctx context.Context, req api.CreateTechnicianRequest) (*api.Account, error)
	UpdateTechnician(ctx context.Context, id int64, req api.UpdateTechnicianRequest) (*api.Account, error)

	Queue(ctx context.Context) ([]api.QueueRow, error)
	Report(ctx context.Context, q apiclient.ReportQuery) (*api.Report, error)
	Audit(ctx context.Context, q apiclient.AuditQuery) ([]api.AuditRecord, error)
	AuditCSVQuery(ctx context.Context, q apiclient.AuditQuery, w io.Writer) error
}

var _ broker = (*apiclient.Client)(nil)
