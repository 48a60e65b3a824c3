// Package server is the broker's HTTP side: the JSON API under /api/v1
// (described by api.OpenAPI), bearer-token authentication, rate limits,
// the events WebSocket with its hub, and the WebRTC signaling relay. Every
// flow is a call into desk.Service; the server only translates between
// HTTP and the domain, and never touches storage itself.
//
// Wiring (broker/main.go): the hub exists before the service, because the
// service publishes into it:
//
//	hub := server.NewHub()
//	svc, err := desk.NewService(desk.ServiceConfig{Store: db, Blobs: blobs, Hasher: h, Publisher: hub, Logger: log})
//	srv, err := server.New(server.Config{Service: svc, Hub: hub, PublicURL: url, OrgName: org, Logger: log})
//	defer srv.Close()
//	http.Server{Handler: srv}
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// Defaults of Config's zero fields.
const (
	DefaultMaxBodyBytes  = 1 << 20
	DefaultSweepInterval = 5 * time.Second
	DefaultSendQueue     = 256
	DefaultPingInterval  = 30 * time.Second
	DefaultWriteTimeout  = 10 * time.Second
	// DefaultEventRetention keeps catch-up events far longer than any
	// token that could ask for them lives.
	DefaultEventRetention = 30 * 24 * time.Hour
	// pruneEvery is how often the sweeper prunes old events.
	pruneEvery = time.Hour
)

// Config configures a Server. Service and Hub are required.
type Config struct {
	Service *desk.Service
	// Hub is the desk.Publisher the Service was created with (NewHub).
	Hub *Hub
	// PublicURL is the broker's address as end users reach it, without a
	// trailing slash; support links are PublicURL + "/s/" + token.
	PublicURL string
	// OrgName is shown to end users by the agent and the landing page.
	OrgName string
	// AgentDir is the directory of the agent binaries end users download
	// from the public pages: AgentFileWindows, AgentFileMacOS and
	// AgentFileLinux. A missing file makes that OS's download answer 404.
	AgentDir string
	Logger   *slog.Logger
	// Now is the clock of rate limits (default: the Service's clock).
	Now func() time.Time
	// TrustProxy takes the client address from the last X-Forwarded-For
	// entry, as appended by a reverse proxy in front of the broker. Leave
	// it off when clients connect directly: they could forge the header.
	TrustProxy bool

	// MaxBodyBytes limits JSON request bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxUploadBytes caps any upload, above the channels' own limits
	// (default desk.MaxFileSizeLimit).
	MaxUploadBytes int64

	// ICE returns the STUN/TURN servers, with fresh credentials, for one
	// peer of a session (named for the relay's logs); nil gives none, so
	// peers use host candidates only.
	ICE func(peer string) []api.ICEServer
	// ICEPolicy is "all" (default) or "relay" to force every peer through TURN.
	ICEPolicy string

	LoginLimit LoginLimit
	CodeLimit  CodeLimit
	// AgentLimit limits code requests and SOS Calls per IP address.
	AgentLimit RateLimit

	// SweepInterval is how often Waiting and Queued sessions past their
	// expiration are expired (default 5s; negative disables the sweeper,
	// expiry then happens lazily when a link or code is used).
	SweepInterval time.Duration
	// EventRetention is how long the live events clients catch up from
	// are kept (default 30 days; negative keeps them forever). The
	// sweeper prunes older ones hourly; the audit log and chat are not
	// affected.
	EventRetention time.Duration

	// SendQueue is each WebSocket client's bounded send queue (default
	// 256 messages); a client whose queue is full is disconnected.
	SendQueue int
	// PingInterval is the WebSocket keepalive period (default 30s); the
	// connection's token is re-checked as often.
	PingInterval time.Duration
	// WriteTimeout bounds one WebSocket write (default 10s).
	WriteTimeout time.Duration
}

// Server is the broker's http.Handler. It also implements desk.Publisher
// by forwarding to its Hub.
type Server struct {
	cfg   Config
	svc   *desk.Service
	hub   *Hub
	log   *slog.Logger
	now   func() time.Time
	mux   *http.ServeMux
	pats  []string
	login *loginLimiter
	codes *codeLimiter
	agent *window

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	once   sync.Once

	mu     sync.Mutex // guards the following fields
	closed bool
	wg     sync.WaitGroup // every goroutine the server owns
}

var _ desk.Publisher = (*Server)(nil)

// New returns a Server and starts its background work; Close stops it.
func New(cfg Config) (*Server, error) {
	if cfg.Service == nil || cfg.Hub == nil {
		return nil, errors.New("server: Config needs a Service and the Hub passed to it as Publisher")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if _, err := errorCatalogs(); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	if cfg.Now == nil {
		cfg.Now = cfg.Service.Now
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	switch cfg.ICEPolicy {
	case "":
		cfg.ICEPolicy = "all"
	case "all", "relay":
	default:
		return nil, fmt.Errorf("server: ICEPolicy %q: want all or relay", cfg.ICEPolicy)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = desk.MaxFileSizeLimit
	}
	if cfg.SweepInterval == 0 {
		cfg.SweepInterval = DefaultSweepInterval
	}
	if cfg.EventRetention == 0 {
		cfg.EventRetention = DefaultEventRetention
	}
	if cfg.SendQueue <= 0 {
		cfg.SendQueue = DefaultSendQueue
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = DefaultPingInterval
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	cfg.LoginLimit = cfg.LoginLimit.withDefaults()
	cfg.CodeLimit = cfg.CodeLimit.withDefaults()
	cfg.AgentLimit = cfg.AgentLimit.withDefaults(RateLimit{Events: 20, Per: time.Minute})

	s := &Server{
		cfg: cfg, svc: cfg.Service, hub: cfg.Hub, log: cfg.Logger, now: cfg.Now,
		mux:   http.NewServeMux(),
		login: newLoginLimiter(cfg.LoginLimit),
		codes: newCodeLimiter(cfg.CodeLimit),
		agent: newWindow(cfg.AgentLimit),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := s.hub.attach(s); err != nil {
		return nil, err
	}
	s.routes()
	if cfg.SweepInterval > 0 {
		s.goroutine(s.sweep)
	}
	return s, nil
}

// goroutine runs fn in a goroutine the server waits for in Close; it
// reports false when the server is already closed.
func (s *Server) goroutine(fn func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn()
	}()
	return true
}

// track registers a running request-owned task (a WebSocket connection)
// so that Close waits for it; done must be called when it ends.
func (s *Server) track() (done func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, false
	}
	s.wg.Add(1)
	return s.wg.Done, true
}

// Close stops the sweeper, closes every WebSocket and waits for all of
// the server's goroutines. It may be called more than once.
func (s *Server) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.cancel()
		s.hub.closeAll()
	})
	s.wg.Wait()
	return nil
}

// Publish forwards events to the hub.
func (s *Server) Publish(events ...*desk.Event) { s.hub.Publish(events...) }

// sweep expires due sessions and forgets stale rate-limit entries.
func (s *Server) sweep() {
	t := time.NewTicker(s.cfg.SweepInterval)
	defer t.Stop()
	var lastPrune time.Time // the first sweep prunes
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		if n, err := s.svc.ExpireDue(s.ctx); err != nil {
			if s.ctx.Err() == nil {
				s.log.Error("expire sessions", "err", err)
			}
		} else if n > 0 {
			s.log.Info("sessions expired", "count", n)
		}
		now := s.now()
		s.login.prune(now)
		s.codes.prune(now)
		s.agent.prune(now)
		if s.cfg.EventRetention > 0 && now.Sub(lastPrune) >= pruneEvery {
			lastPrune = now
			if n, err := s.svc.PruneEvents(s.ctx, now.Add(-s.cfg.EventRetention)); err != nil {
				if s.ctx.Err() == nil {
					s.log.Error("prune events", "err", err)
				}
			} else if n > 0 {
				s.log.Info("events pruned", "count", n, "retention", s.cfg.EventRetention.String())
			}
		}
	}
}

// Patterns lists the registered route patterns ("GET /api/v1/me").
func (s *Server) Patterns() []string { return append([]string(nil), s.pats...) }

func (s *Server) handle(pattern string, h http.Handler) {
	s.pats = append(s.pats, pattern)
	s.mux.Handle(pattern, h)
}

func (s *Server) routes() {
	p := api.Prefix
	s.handle("GET /healthz", s.public(s.health))
	s.handle("GET "+p+"/openapi.yaml", s.public(s.openAPI))
	s.handle("GET "+p+"/info", s.public(s.info))
	s.landingRoutes()

	s.handle("POST "+p+"/login", s.public(s.loginHandler))
	s.handle("POST "+p+"/logout", s.tech(s.logout))
	s.handle("GET "+p+"/me", s.tech(s.me))
	s.handle("PUT "+p+"/me/availability", s.tech(s.setAvailability))

	s.handle("GET "+p+"/technicians", s.tech(s.listTechnicians))
	s.handle("POST "+p+"/technicians", s.tech(s.createTechnician))
	s.handle("PATCH "+p+"/technicians/{id}", s.tech(s.updateTechnician))

	s.handle("GET "+p+"/groups", s.tech(s.listGroups))
	s.handle("POST "+p+"/groups", s.tech(s.createGroup))
	s.handle("PATCH "+p+"/groups/{id}", s.tech(s.updateGroup))
	s.handle("DELETE "+p+"/groups/{id}", s.tech(s.deleteGroup))

	s.handle("GET "+p+"/channels", s.tech(s.listChannels))
	s.handle("POST "+p+"/channels", s.tech(s.createChannel))
	s.handle("GET "+p+"/channels/{id}", s.tech(s.getChannel))
	s.handle("PUT "+p+"/channels/{id}", s.tech(s.updateChannel))
	s.handle("DELETE "+p+"/channels/{id}", s.tech(s.deleteChannel))
	s.handle("GET "+p+"/channels/{id}/sessions", s.tech(s.channelSessions))

	s.handle("POST "+p+"/sessions", s.tech(s.createLink))
	s.handle("GET "+p+"/sessions", s.tech(s.listSessions))
	s.handle("GET "+p+"/sessions/{id}", s.tech(s.getSession))
	s.handle("DELETE "+p+"/sessions/{id}", s.tech(s.deleteSession))
	s.handle("POST "+p+"/sessions/{id}/take", s.tech(s.take))
	s.handle("POST "+p+"/sessions/{id}/release", s.tech(s.release))
	s.handle("POST "+p+"/sessions/{id}/close", s.tech(s.closeSession))
	s.handle("POST "+p+"/sessions/{id}/transfer", s.tech(s.transfer))
	s.handle("GET "+p+"/sessions/{id}/transfer-targets", s.tech(s.transferTargets))
	s.handle("POST "+p+"/sessions/{id}/invite", s.tech(s.invite))
	s.handle("POST "+p+"/sessions/{id}/remote", s.tech(s.requestRemote))
	s.handle("GET "+p+"/sessions/{id}/ice", s.tech(s.sessionICE))
	s.handle("GET "+p+"/sessions/{id}/timeline", s.tech(s.timeline))
	s.handle("GET "+p+"/sessions/{id}/messages", s.tech(s.sessionMessages))
	s.handle("POST "+p+"/sessions/{id}/messages", s.tech(s.postSessionMessage))
	s.handle("POST "+p+"/sessions/{id}/files", s.tech(s.uploadSessionFile))
	s.handle("GET "+p+"/files/{id}", s.tech(s.downloadFile))
	s.handle("GET "+p+"/consents/{id}", s.tech(s.getConsent))
	s.handle("POST "+p+"/codes/claim", s.tech(s.claimCode))

	s.handle("POST "+p+"/agent/join", s.public(s.agentJoin))
	s.handle("POST "+p+"/agent/code", s.public(s.agentCode))
	s.handle("GET "+p+"/agent/sos-channels", s.public(s.sosChannels))
	s.handle("POST "+p+"/agent/sos", s.public(s.agentSOS))
	s.handle("GET "+p+"/agent/session", s.agentOnly(s.agentSession))
	s.handle("PUT "+p+"/agent/device", s.agentOnly(s.agentDevice))
	s.handle("GET "+p+"/agent/ice", s.agentOnly(s.agentICE))
	s.handle("GET "+p+"/agent/consents/{id}", s.agentOnly(s.getConsent))
	s.handle("POST "+p+"/agent/consents/{id}", s.agentOnly(s.answerConsent))
	s.handle("GET "+p+"/agent/messages", s.agentOnly(s.agentMessages))
	s.handle("POST "+p+"/agent/messages", s.agentOnly(s.postAgentMessage))
	s.handle("POST "+p+"/agent/files", s.agentOnly(s.uploadAgentFile))
	s.handle("GET "+p+"/agent/files/{id}", s.agentOnly(s.downloadFile))
	s.handle("POST "+p+"/agent/rating", s.agentOnly(s.rate))

	s.handle("GET "+p+"/reports", s.tech(s.report))
	s.handle("GET "+p+"/queue", s.tech(s.queue))
	s.handle("GET "+p+"/audit", s.tech(s.audit))
	s.handle("GET "+p+"/audit.csv", s.tech(s.auditCSV))

	s.handle("GET "+p+"/events", http.HandlerFunc(s.events))
}
