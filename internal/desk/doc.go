// Package desk is Tether's service desk domain: accounts, roles and rights,
// technician groups, channels, support sessions and their state machine,
// consent, chat, ratings, the hash-chained audit log, events and reports.
//
// It imports only the standard library. Persistence, HTTP and password
// hashing are adapters that implement or call the interfaces declared here
// (Store, Tx, Blobs, PasswordHasher, Publisher); broker/main.go wires them.
package desk
