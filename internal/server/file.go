package server

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/tetherdesk/tether/internal/api"
	"github.com/tetherdesk/tether/internal/desk"
)

// upload streams a chat attachment to the service: either a
// multipart/form-data body whose "file" part is the file, or a raw body
// with the file name in ?name=. Nothing is buffered whole in memory; the
// channel's size limit is enforced while the content is stored.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, a desk.Actor, sessionID int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUploadBytes+64<<10)
	ct := r.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	var (
		m   *desk.Message
		err error
	)
	if mt == "multipart/form-data" {
		m, err = s.uploadMultipart(r, a, sessionID)
	} else {
		name := r.URL.Query().Get("name")
		if name == "" {
			return desk.Errorf(desk.EINVALID, "a raw upload needs the file name in ?name= (or send multipart/form-data with a \"file\" part)")
		}
		m, err = s.svc.SendFile(r.Context(), a, sessionID, name, ct, uploadReader{r.Body})
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.FromMessage(m))
	return nil
}

func (s *Server) uploadMultipart(r *http.Request, a desk.Actor, sessionID int64) (*desk.Message, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, desk.Errorf(desk.EINVALID, "malformed multipart body: %v", err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, desk.Errorf(desk.EINVALID, "the multipart body has no \"file\" part")
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		if err != nil {
			return nil, desk.Errorf(desk.EINVALID, "malformed multipart body: %v", err)
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		name := part.FileName()
		if name == "" {
			return nil, desk.Errorf(desk.EINVALID, "the \"file\" part needs a filename")
		}
		defer part.Close()
		return s.svc.SendFile(r.Context(), a, sessionID, name, part.Header.Get("Content-Type"), uploadReader{part})
	}
}

// uploadReader turns a broken upload (the client went away, a malformed
// multipart body) into a client error instead of an internal one; the
// body size limit stays a 413.
type uploadReader struct{ r io.Reader }

func (u uploadReader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	if err != nil && err != io.EOF {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			err = desk.Errorf(desk.EINVALID, "the upload was interrupted or malformed")
		}
	}
	return n, err
}

// safeTypes are the content types served as themselves; everything else is
// application/octet-stream. The type comes from the sanitised name, never
// from what the uploader claimed.
var safeTypes = map[string]string{
	"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
	"bmp": "image/bmp", "tiff": "image/tiff", "pdf": "application/pdf", "txt": "text/plain; charset=utf-8",
	"log": "text/plain; charset=utf-8",
}

func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request, a desk.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	att, rc, err := s.svc.OpenFile(r.Context(), a, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	ctype := safeTypes[strings.ToLower(strings.TrimPrefix(path.Ext(att.Name), "."))]
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": att.Name})
	if disp == "" {
		disp = `attachment; filename="file"`
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", disp)
	h.Set("Content-Length", strconv.FormatInt(att.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	if att.SHA256 != "" {
		h.Set("ETag", `"`+att.SHA256+`"`)
	}
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil && r.Context().Err() == nil {
		s.log.Warn("file download interrupted", "request_id", requestID(r.Context()), "file_id", id, "err", err)
	}
	return nil
}
