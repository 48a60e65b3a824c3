package desk

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// ActorKind says who did something.
type ActorKind int

const (
	ActorUnknown ActorKind = iota
	ActorTechnician
	ActorAgent
	ActorSystem
)

var actorKindNames = map[ActorKind]string{ActorTechnician: "technician", ActorAgent: "agent", ActorSystem: "system"}

func (k ActorKind) String() string {
	if s, ok := actorKindNames[k]; ok {
		return s
	}
	return "unknown"
}

// ParseActorKind parses an actor kind name.
func ParseActorKind(s string) (ActorKind, error) {
	for k, n := range actorKindNames {
		if n == s {
			return k, nil
		}
	}
	return ActorUnknown, Errorf(EINVALID, "unknown actor kind %q", s)
}

// AuditRecord is one entry of the append-only, hash-chained audit log.
// Hash is SHA-256 over the record's fields and PrevHash, so changing,
// removing or reordering any stored record breaks the chain.
type AuditRecord struct {
	Seq       int64
	At        time.Time
	ActorKind ActorKind
	ActorID   int64
	ActorName string
	// Action is what happened: a session Action name or another verb
	// ("login", "consent_granted", "file_uploaded", "channel_created", ...).
	Action    string
	SessionID int64
	ChannelID int64
	// Target names the object acted on or the other party ("account 7").
	Target string
	// Detail is a short, secret-free description.
	Detail   string
	PrevHash string
	Hash     string
}

// AuditHash computes a record's hash from its fields and PrevHash.
func AuditHash(r *AuditRecord) string {
	h := sha256.New()
	var b [8]byte
	num := func(v int64) { binary.BigEndian.PutUint64(b[:], uint64(v)); h.Write(b[:]) }
	str := func(s string) { num(int64(len(s))); h.Write([]byte(s)) }
	num(r.Seq)
	num(r.At.UTC().UnixNano())
	num(int64(r.ActorKind))
	num(r.ActorID)
	str(r.ActorName)
	str(r.Action)
	num(r.SessionID)
	num(r.ChannelID)
	str(r.Target)
	str(r.Detail)
	str(r.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// Chain sets r's PrevHash to prev and computes its Hash.
func (r *AuditRecord) Chain(prev string) {
	r.PrevHash = prev
	r.Hash = AuditHash(r)
}

// AuditVerifier checks a chain record by record, in Seq order, so a log of
// any length can be streamed through it.
type AuditVerifier struct {
	prev    string
	lastSeq int64
	n       int64
}

// Check verifies the next record of the chain.
func (v *AuditVerifier) Check(r *AuditRecord) error {
	if r.Seq != v.lastSeq+1 {
		return Errorf(ECONFLICT, "audit record %d follows %d: records are missing or reordered", r.Seq, v.lastSeq)
	}
	if r.PrevHash != v.prev {
		return Errorf(ECONFLICT, "audit record %d does not chain to record %d", r.Seq, v.lastSeq)
	}
	if AuditHash(r) != r.Hash {
		return Errorf(ECONFLICT, "audit record %d was altered: its hash does not match its content", r.Seq)
	}
	v.prev, v.lastSeq = r.Hash, r.Seq
	v.n++
	return nil
}

// Verified returns how many records were verified and the hash of the last.
func (v *AuditVerifier) Verified() (int64, string) { return v.n, v.prev }

// AuditFilter selects audit records; zero fields do not filter.
type AuditFilter struct {
	SessionID  int64
	ChannelIDs []int64 // any of these channels
	ActorID    int64
	Action     string
	From, To   time.Time
	AfterSeq   int64
	Limit      int
}
