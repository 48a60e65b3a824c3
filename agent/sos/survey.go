package sos

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// showSurvey asks for a rating once the technician closed the session.
func (a *App) showSurvey() {
	u := &a.ui
	if u.screen == ScreenSurvey {
		return
	}
	a.mu.Lock()
	rated := a.rated
	a.mu.Unlock()
	if u.survey == nil {
		stars := container.NewGridWithColumns(5)
		for i := range u.stars {
			n := i + 1
			u.stars[i] = widget.NewButton("", func() { a.setStars(n) })
			u.starText[i] = canvas.NewText("☆", theme.Color(theme.ColorNameForeground))
			u.starText[i].TextSize = 30
			// The star is drawn over the button; taps go to the button.
			stars.Add(container.NewStack(u.stars[i], container.NewCenter(u.starText[i])))
		}
		u.comment = widget.NewMultiLineEntry()
		u.comment.SetPlaceHolder(lang.L("Comment (optional)"))
		u.comment.Wrapping = fyne.TextWrapWord
		u.comment.SetMinRowsVisible(3)
		u.surveySend = widget.NewButtonWithIcon(lang.L("Send rating"), theme.MailSendIcon(), a.sendRating)
		u.surveySend.Importance = widget.HighImportance
		u.surveySend.Disable()
		u.surveyMsg = wrapLabel("")
		u.surveyMsg.Hide()
		closeBtn := widget.NewButtonWithIcon(lang.L("Close Tether SOS"), theme.CancelIcon(), func() { a.win.Close() })
		body := container.NewVBox(
			wrapLabel(lang.L("The technician has ended the session. Nobody can see your screen any more.")),
			widget.NewLabelWithStyle(lang.L("How satisfied are you with the help you received?"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			stars,
			u.starsHint(),
			u.comment,
			u.surveySend,
			u.surveyMsg,
		)
		u.survey = page(lang.L("Session ended"), container.NewVScroll(body), closeBtn)
	}
	if rated {
		a.surveyDone(lang.L("Thank you for your feedback!"))
	}
	a.setBody(ScreenSurvey, u.survey)
}

func (u *ui) starsHint() fyne.CanvasObject {
	l := widget.NewLabel(lang.L("1 = very unhappy, 5 = very happy"))
	l.Importance = widget.LowImportance
	return l
}

func (a *App) setStars(n int) {
	u := &a.ui
	a.mu.Lock()
	rated := a.rated
	a.mu.Unlock()
	if rated {
		return
	}
	u.starsGiven = n
	for i, t := range u.starText {
		if i < n {
			t.Text = "★"
			t.Color = theme.Color(theme.ColorNameWarning)
		} else {
			t.Text = "☆"
			t.Color = theme.Color(theme.ColorNameForeground)
		}
		t.Refresh()
	}
	u.surveySend.Enable()
}

// sendRating sends the rating, once: the button stays disabled after the
// first press, and App.rated refuses any second send.
func (a *App) sendRating() {
	u := &a.ui
	a.mu.Lock()
	if a.rated || u.starsGiven == 0 {
		a.mu.Unlock()
		return
	}
	a.rated = true
	b := a.broker
	a.mu.Unlock()
	stars, comment := u.starsGiven, strings.TrimSpace(u.comment.Text)
	u.surveySend.Disable()
	u.surveySend.SetText(lang.L("Sending…"))
	a.goroutine(func(ctx context.Context) {
		_, err := b.Rate(ctx, stars, comment)
		a.do(func() {
			if err != nil && errCode(err) != "conflict" {
				a.log.Warn("rate", "err", err)
				if errCode(err) == "" {
					// Not delivered: let the user try again.
					a.mu.Lock()
					a.rated = false
					a.mu.Unlock()
					u.surveySend.Enable()
					u.surveySend.SetText(lang.L("Send rating"))
					u.surveyMsg.Importance = widget.DangerImportance
					u.surveyMsg.SetText(lang.L("Your rating could not be sent. Check your internet connection and try again."))
					u.surveyMsg.Show()
					return
				}
			}
			a.surveyDone(lang.L("Thank you for your feedback! You can close this window now."))
		})
	})
}

func (a *App) surveyDone(msg string) {
	u := &a.ui
	for _, b := range u.stars {
		b.Disable()
	}
	u.comment.Disable()
	u.surveySend.Disable()
	u.surveySend.SetText(lang.L("Rating sent"))
	u.surveyMsg.Importance = widget.SuccessImportance
	u.surveyMsg.SetText(msg)
	u.surveyMsg.Show()
}
