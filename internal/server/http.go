package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// statusOf is the one table from desk error codes to HTTP status codes.
var statusOf = map[string]int{
	desk.EINVALID:      http.StatusBadRequest,
	desk.EUNAUTHORIZED: http.StatusUnauthorized,
	desk.EFORBIDDEN:    http.StatusForbidden,
	desk.ENOTFOUND:     http.StatusNotFound,
	desk.ECONFLICT:     http.StatusConflict,
	desk.EGONE:         http.StatusGone,
	desk.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	desk.ERATELIMITED:  http.StatusTooManyRequests,
	desk.EINTERNAL:     http.StatusInternalServerError,
}

// codeOf is statusOf's inverse for the router's own answers.
func codeOf(status int) string {
	for c, s := range statusOf {
		if s == status {
			return c
		}
	}
	return desk.EINTERNAL
}

// retryError is a rate-limit error with how long the client should wait.
type retryError struct {
	err   *desk.Error
	retry time.Duration
}

func (e *retryError) Error() string { return e.err.Error() }
func (e *retryError) Unwrap() error { return e.err }

func limited(retry time.Duration, format string, args ...any) error {
	return &retryError{err: desk.Errorf(desk.ERATELIMITED, format, args...), retry: retry}
}

type ctxKey int

const requestIDKey ctxKey = iota

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// recorder remembers the status for the access log. It passes Hijack
// through for WebSocket upgrades.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("response writer cannot hijack")
	}
	r.status = http.StatusSwitchingProtocols
	return hj.Hijack()
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// ServeHTTP adds a request id, recovers panics, answers unknown routes with
// an error body and writes one access log line per request. The log names
// the route pattern, never the path or query, which may carry secrets
// (support link tokens, ?token=).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := newRequestID()
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
	rec := &recorder{ResponseWriter: w}
	rec.Header().Set("X-Request-Id", id)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic serving request", "request_id", id, "pattern", r.Pattern, "panic", fmt.Sprint(v))
			if rec.status == 0 {
				s.writeError(rec, r, errInternal)
			}
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		pattern := r.Pattern
		if pattern == "" {
			pattern = "unmatched"
		}
		s.log.Info("request", "request_id", id, "method", r.Method, "pattern", pattern,
			"status", status, "bytes", rec.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000)
	}()
	if _, pat := s.mux.Handler(r); pat == "" {
		s.unmatched(rec, r)
		return
	}
	s.mux.ServeHTTP(rec, r)
}

// unmatched turns the router's plain-text 404 and 405 into error bodies.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request) {
	h, _ := s.mux.Handler(r)
	probe := &headerProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if allow := probe.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	status := probe.status
	if status == 0 || status < 400 {
		status = http.StatusNotFound
	}
	e := desk.Errorf(codeOf(status), "no such endpoint: %s %s", r.Method, r.URL.Path)
	if status == http.StatusMethodNotAllowed {
		e = desk.Errorf(desk.EINVALID, "method %s is not allowed here (allowed: %s)", r.Method, probe.header.Get("Allow"))
	}
	lang := requestLang(r)
	w.Header().Set("Content-Language", lang)
	writeJSON(w, status, api.Error{Code: e.Code, Message: errorMessage(e, lang)})
}

type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header         { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *headerProbe) WriteHeader(code int)        { p.status = code }

// writeError writes err as an error body with its status, the message in
// the request's language. Internal errors are logged once here, with the
// request id, and never shown to clients.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = desk.Errorf(desk.ETOOLARGE, "request body is larger than %d bytes", mbe.Limit)
	}
	code := desk.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status, code = http.StatusInternalServerError, desk.EINTERNAL
	}
	if status == http.StatusInternalServerError {
		s.log.Error("internal error", "request_id", requestID(r.Context()), "pattern", r.Pattern, "err", err)
		err = errInternal
	}
	lang := requestLang(r)
	msg := errorMessage(err, lang)
	w.Header().Set("Content-Language", lang)
	var re *retryError
	if errors.As(err, &re) {
		w.Header().Set("Retry-After", strconv.Itoa(int((re.retry+time.Second-1)/time.Second)))
	}
	writeJSON(w, status, api.Error{Code: code, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"code":"internal","message":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// decode reads a JSON body into v: application/json only, at most
// MaxBodyBytes, no unknown fields, exactly one value.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return desk.Errorf(desk.EINVALID, "Content-Type must be application/json, not %q", ct)
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	return decodeJSON(body, v)
}

// decodeJSON is decode without the HTTP checks, for request bodies and
// WebSocket messages.
func decodeJSON(rd io.Reader, v any) error {
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return desk.Errorf(desk.EINVALID, "request body must hold exactly one JSON value; found more after it")
	}
	return nil
}

func jsonError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return desk.Errorf(desk.EINVALID, "request body is empty; a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return desk.Errorf(desk.EINVALID, "request body is truncated JSON")
	case errors.As(err, &syn):
		return desk.Errorf(desk.EINVALID, "malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		if typ.Field == "" {
			return desk.Errorf(desk.EINVALID, "request body must be %s, not %s", typeName(typ.Type.Kind().String()), typ.Value)
		}
		return desk.Errorf(desk.EINVALID, "field %q must be %s, not %s", typ.Field, typeName(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return desk.Errorf(desk.EINVALID, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return desk.Errorf(desk.EINVALID, "invalid JSON: %s", err.Error())
}

func typeName(kind string) string {
	switch kind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "ptr":
		return "a value of the right type"
	}
	return kind
}

// clientIP is the caller's address: the connection's peer, or with
// TrustProxy the address the proxy appended to X-Forwarded-For.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1])); err == nil {
				return ip.Unmap().String()
			}
		}
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap().String()
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// bearer returns the request's bearer token.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// handlerFunc is an authenticated handler; a returned error becomes the
// error response.
type handlerFunc func(w http.ResponseWriter, r *http.Request, a desk.Actor) error

func (s *Server) public(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) authed(kind desk.ActorKind, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.authenticate(r, bearer(r))
		if err == nil && a.Kind != kind {
			if kind == desk.ActorTechnician {
				err = desk.Errorf(desk.EUNAUTHORIZED, "technician login required")
			} else {
				err = desk.Errorf(desk.EUNAUTHORIZED, "agent token required")
			}
		}
		if err == nil {
			err = h(w, r, a)
		}
		if err != nil {
			if desk.ErrorCode(err) == desk.EUNAUTHORIZED {
				w.Header().Set("WWW-Authenticate", `Bearer realm="tether"`)
			}
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) tech(h handlerFunc) http.Handler      { return s.authed(desk.ActorTechnician, h) }
func (s *Server) agentOnly(h handlerFunc) http.Handler { return s.authed(desk.ActorAgent, h) }

func (s *Server) authenticate(r *http.Request, token string) (desk.Actor, error) {
	if token == "" {
		return desk.Actor{}, desk.Errorf(desk.EUNAUTHORIZED, "missing bearer token (Authorization: Bearer <token>)")
	}
	return s.svc.Authenticate(r.Context(), token, s.clientIP(r))
}

// pathID parses the {id} path value.
func pathID(r *http.Request) (int64, error) {
	return parseID("id", r.PathValue("id"))
}

func parseID(name, v string) (int64, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, desk.Errorf(desk.EINVALID, "%s must be a positive integer, not %q", name, v)
	}
	return id, nil
}

// queryID parses an optional numeric query parameter (0 when absent).
func queryID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	return parseID(name, v)
}

func queryInt(r *http.Request, name string, min, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, desk.Errorf(desk.EINVALID, "%s must be an integer between %d and %d", name, min, max)
	}
	return n, nil
}

// queryTime parses an RFC 3339 time or a YYYY-MM-DD date (UTC midnight).
func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, desk.Errorf(desk.EINVALID, "%s must be an RFC 3339 time or a YYYY-MM-DD date, not %q", name, v)
}

// queryStates parses a comma-separated state list.
func queryStates(r *http.Request) ([]desk.State, error) {
	var out []desk.State
	for _, v := range r.URL.Query()["state"] {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name == "" {
				continue
			}
			st, err := desk.ParseState(name)
			if err != nil {
				return nil, err
			}
			out = append(out, st)
		}
	}
	return out, nil
}
