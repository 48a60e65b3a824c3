package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/relay"
	"github.com/tetherdesk/tether/internal/server"
)

// metrics serves the broker's figures in the Prometheus text exposition
// format on its own listener, kept off the public API: it is for the
// operator's monitoring network only. The format is a handful of lines, so
// it is written directly rather than pulling a client library into the
// broker.
type metrics struct {
	svc   *desk.Service
	hub   *server.Hub
	relay *relay.Server // nil without the embedded relay
	start time.Time
	log   *slog.Logger
}

func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/metrics" {
		http.NotFound(w, r)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	g, err := m.svc.Gauges(ctx)
	if err != nil {
		m.log.Error("metrics", "err", err)
		http.Error(w, "metrics unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.write(w, g)
}

func (m *metrics) write(w io.Writer, g *desk.Gauges) {
	metric := func(name, typ, help string) { fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ) }

	metric("tether_sessions", "gauge", "Support sessions by state (deleted ones excluded).")
	for _, st := range []desk.State{desk.Waiting, desk.Active, desk.Queued, desk.Expired, desk.Closed} {
		fmt.Fprintf(w, "tether_sessions{state=%q} %d\n", st.String(), g.SessionsByState[st])
	}
	rows := append([]desk.QueueRow(nil), g.Queue...)
	sort.Slice(rows, func(i, j int) bool { return rows[i].ChannelID < rows[j].ChannelID })
	metric("tether_queue_waiting", "gauge", "Requests waiting for a first response, per channel.")
	for _, q := range rows {
		fmt.Fprintf(w, "tether_queue_waiting{channel=\"%s\"} %d\n", label(q.ChannelName), q.Waiting)
	}
	metric("tether_queue_longest_wait_seconds", "gauge", "Longest current wait per channel.")
	for _, q := range rows {
		fmt.Fprintf(w, "tether_queue_longest_wait_seconds{channel=\"%s\"} %g\n", label(q.ChannelName), q.LongestWait.Seconds())
	}
	metric("tether_technicians_available", "gauge", "Available technicians the channel is routed to.")
	for _, q := range rows {
		fmt.Fprintf(w, "tether_technicians_available{channel=\"%s\"} %d\n", label(q.ChannelName), q.Available)
	}

	hs := m.hub.Stats()
	metric("tether_clients_connected", "gauge", "Connected event WebSockets by client kind.")
	fmt.Fprintf(w, "tether_clients_connected{kind=\"technician\"} %d\ntether_clients_connected{kind=\"agent\"} %d\n", hs.Technicians, hs.Agents)
	metric("tether_events_published_total", "counter", "Events published by the service desk.")
	fmt.Fprintf(w, "tether_events_published_total %d\n", hs.Published)
	metric("tether_event_deliveries_total", "counter", "Event messages queued to connected clients.")
	fmt.Fprintf(w, "tether_event_deliveries_total %d\n", hs.Delivered)
	metric("tether_slow_client_disconnects_total", "counter", "Clients disconnected because they could not keep up.")
	fmt.Fprintf(w, "tether_slow_client_disconnects_total %d\n", hs.SlowDisconnects)

	metric("tether_turn_allocations", "gauge", "Live allocations of the embedded TURN relay.")
	n := 0
	if m.relay != nil {
		n = m.relay.Allocations()
	}
	fmt.Fprintf(w, "tether_turn_allocations %d\n", n)

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	metric("tether_go_goroutines", "gauge", "Goroutines of the broker.")
	fmt.Fprintf(w, "tether_go_goroutines %d\n", runtime.NumGoroutine())
	metric("tether_go_heap_bytes", "gauge", "Bytes of allocated heap objects.")
	fmt.Fprintf(w, "tether_go_heap_bytes %d\n", ms.HeapAlloc)
	metric("tether_uptime_seconds", "gauge", "Seconds since the broker started.")
	fmt.Fprintf(w, "tether_uptime_seconds %g\n", time.Since(m.start).Seconds())
}

// label escapes a Prometheus label value.
func label(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// serveMetrics listens on addr and serves metrics until Close.
func serveMetrics(addr string, h http.Handler) (*http.Server, net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("metrics listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return srv, ln, nil
}
