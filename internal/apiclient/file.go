package apiclient

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/tetherdesk/tether/internal/api"
)

// progressReader counts bytes read through it and reports each chunk.
type progressReader struct {
	r     io.Reader
	done  int64
	total int64
	fn    func(done, total int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.done += int64(n)
		if p.fn != nil {
			p.fn(p.done, p.total)
		}
	}
	return n, err
}

// SendFile uploads a file into a session's chat, streaming it from r (the
// file is never held whole in memory). size is the exact length of r, or
// -1 when unknown (then sent chunked). The broker enforces the channel's
// file types and size limit (too_large).
//
// progress (optional) is called after every chunk with the bytes sent and
// size; the last call has sent == size (for size -1: the whole length). It
// runs on the HTTP transport's goroutine, so UI code must hand it to its
// UI thread (fyne.Do) and it must not block.
func (c *Client) SendFile(ctx context.Context, sessionID int64, name string, r io.Reader, size int64, progress func(sent, total int64)) (*api.Message, error) {
	return c.upload(ctx, idPath("/sessions/%d/files", sessionID), name, r, size, progress)
}

// DownloadFile streams a chat attachment into w and returns its file name
// as the broker sanitised it (from Content-Disposition; a path-free base
// name, "file" when absent). progress (optional) is called after every
// chunk with the bytes received and the Content-Length (-1 when unknown),
// on the calling goroutine; the last call has got == total.
func (c *Client) DownloadFile(ctx context.Context, fileID int64, w io.Writer, progress func(got, total int64)) (string, error) {
	return c.download(ctx, idPath("/files/%d", fileID), w, progress)
}

func (c *Client) upload(ctx context.Context, p, name string, r io.Reader, size int64, progress func(sent, total int64)) (*api.Message, error) {
	if name == "" {
		return nil, &Error{Status: http.StatusBadRequest, Code: CodeInvalid, Message: "a file name is required"}
	}
	if size < 0 {
		size = -1
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	// The transport reads the body, and calls progress, on its own
	// goroutine; the last call reports the whole file (sent == size).
	var body io.Reader = &progressReader{r: r, total: size, fn: progress}
	if size == 0 {
		body = http.NoBody
		if progress != nil {
			progress(0, 0)
		}
	}
	req := request{method: http.MethodPost, path: p, query: url.Values{"name": {name}},
		raw: body, rawType: ctype, rawLen: size}
	var out api.Message
	if err := c.do(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) download(ctx context.Context, p string, w io.Writer, progress func(got, total int64)) (string, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: p})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	name := fileName(resp.Header.Get("Content-Disposition"))
	total := resp.ContentLength
	pr := &progressReader{r: resp.Body, total: total, fn: progress}
	n, err := io.Copy(w, pr)
	if err != nil {
		if ctx.Err() != nil {
			return name, fmt.Errorf("apiclient: download: %w", ctx.Err())
		}
		return name, fmt.Errorf("apiclient: download: %w", err)
	}
	if total >= 0 && n != total {
		return name, fmt.Errorf("apiclient: download: got %d of %d bytes: %w", n, total, io.ErrUnexpectedEOF)
	}
	if n == 0 && progress != nil {
		progress(0, total) // an empty file: report completion once
	}
	return name, nil
}

// fileName extracts a safe base name from a Content-Disposition header.
// The broker already sanitises names; this guards against a hostile or
// broken one anyway, since the apps save under this name.
func fileName(disposition string) string {
	_, params, err := mime.ParseMediaType(disposition)
	if err != nil {
		return "file"
	}
	name := strings.ReplaceAll(params["filename"], "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "/" || name == "." || name == ".." {
		return "file"
	}
	return name
}
