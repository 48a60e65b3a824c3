// Package api holds Tether's wire types: the JSON bodies of the broker's
// HTTP API, the WebSocket envelope, the error body and the protocol
// version, shared by the broker, the technician app and the agent. It has
// no behaviour beyond converting between these types and the desk domain.
//
// Conventions: JSON field names are snake_case, times are RFC 3339 in UTC,
// durations are whole seconds in fields named *_seconds, and enums are the
// String() names of the desk types ("active", "channel_manager", ...).
package api

import _ "embed"

// ProtocolVersion is the version of the HTTP and WebSocket protocol
// described here. It changes when a change would break existing clients.
const ProtocolVersion = 1

// Prefix is the path prefix of every API route.
const Prefix = "/api/v1"

// OpenAPI is the OpenAPI 3 description of the API, served by the broker
// at /api/v1/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
