// Package sos is Tether SOS, the end user's agent: every screen (start,
// session code, SOS Call form, queue, session with chat and files, consent
// dialog, sharing indicator, survey) and the controller behind them.
//
// It imports Fyne widgets but never fyne.io/fyne/v2/app, so the whole UI
// runs under Fyne's test driver without OpenGL. agent/main.go builds the
// Fyne app, reads flags and the config file, and passes everything here in
// a Config: the package reads no flags, environment or files of its own
// choosing.
//
// Consent is enforced here, not only by the broker: the screen-sharing host
// (media.Host) is created only after the end user allowed it and the broker
// recorded the answer, it is given an input injector only when control was
// allowed, and Stop ends sharing at once.
//
// Threads: network calls run on goroutines owned by App (Close waits for
// them); they touch widgets only through App.do, which is fyne.Do.
package sos
