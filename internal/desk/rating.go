package desk

import "time"

// FlagBelow: ratings below this are flagged for follow-up.
const FlagBelow = 3

// Rating is the end user's satisfaction rating of a closed session, given once.
type Rating struct {
	SessionID int64
	ChannelID int64
	// AssigneeID is the technician who worked the session when it closed.
	AssigneeID int64
	Stars      int
	Comment    string
	Flagged    bool
	At         time.Time
}

// Validate checks the stars and comment and sets Flagged.
func (r *Rating) Validate() error {
	if r.Stars < 1 || r.Stars > 5 {
		return Errorf(EINVALID, "stars must be 1 to 5")
	}
	if err := validText("comment", r.Comment, 0, 2000); err != nil {
		return err
	}
	r.Flagged = r.Stars < FlagBelow
	return nil
}
