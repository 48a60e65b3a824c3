package apiclient_test

import (
	"errors"

	"github.com/tetherdesk/tether/internal/apiclient"
)

func asError(err error, target **apiclient.Error) bool { return errors.As(err, target) }

func errorsIs(err, target error) bool { return errors.Is(err, target) }
