package desk

import "time"

// ConsentMode is what a technician asks for and what the end user allows.
type ConsentMode int

const (
	ConsentUnknown ConsentMode = iota
	ConsentView
	ConsentControl
)

var consentModeNames = map[ConsentMode]string{ConsentView: "view", ConsentControl: "control"}

func (m ConsentMode) String() string {
	if s, ok := consentModeNames[m]; ok {
		return s
	}
	return "unknown"
}

// ParseConsentMode parses "view" or "control".
func ParseConsentMode(s string) (ConsentMode, error) {
	for m, n := range consentModeNames {
		if n == s {
			return m, nil
		}
	}
	return ConsentUnknown, Errorf(EINVALID, "unknown mode %q (want view or control)", s)
}

// ConsentAnswer is the end user's answer to a consent request.
type ConsentAnswer int

const (
	AnswerPending ConsentAnswer = iota
	AnswerAllowView
	AnswerAllowControl
	AnswerDeny
)

var answerNames = map[ConsentAnswer]string{AnswerPending: "pending", AnswerAllowView: "allow_view", AnswerAllowControl: "allow_control", AnswerDeny: "deny"}

func (a ConsentAnswer) String() string {
	if s, ok := answerNames[a]; ok {
		return s
	}
	return "unknown"
}

// ParseConsentAnswer parses "allow_view", "allow_control" or "deny".
func ParseConsentAnswer(s string) (ConsentAnswer, error) {
	for a, n := range answerNames {
		if n == s && a != AnswerPending {
			return a, nil
		}
	}
	return AnswerPending, Errorf(EINVALID, "unknown answer %q (want allow_view, allow_control or deny)", s)
}

// ConsentTimeout is how long the agent waits for the end user before it
// denies by itself.
const ConsentTimeout = 30 * time.Second

// Consent is a technician's request to view or control the end user's
// screen, and the end user's answer. The agent enforces the answer itself;
// the broker records it.
type Consent struct {
	ID           int64
	SessionID    int64
	TechnicianID int64
	Technician   string
	Mode         ConsentMode
	Answer       ConsentAnswer
	RequestedAt  time.Time
	AnsweredAt   time.Time
}

// Answerable checks that an answer is allowed: once, and never more than
// was asked (a view request cannot be answered with control).
func (c *Consent) Answerable(a ConsentAnswer) error {
	if c.Answer != AnswerPending {
		return Errorf(ECONFLICT, "consent request %d was already answered (%s)", c.ID, c.Answer)
	}
	if a == AnswerAllowControl && c.Mode != ConsentControl {
		return Errorf(EINVALID, "the technician asked only to view")
	}
	return nil
}
