package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/media"
	"github.com/anxin-care/anxin/prompts"
)

// Telephone prompts (/admin/prompts): every prompt in every language, the
// built-in Mandarin ones and the recordings staff upload to replace them
// or to add their own (for a menu's information and message keys). An
// upload may be any WAV a PC or phone records; it is converted to 8 kHz
// mono (media.ConvertPrompt) before it is stored. The call flows play an
// upload where there is one and the built-in prompt otherwise.

// promptUploadMax caps an upload's request: about 1 min 40 s of 48 kHz
// stereo, 3 min 45 s of 44.1 kHz mono, the rest of the form included.
const promptUploadMax = 20 << 20

func (s *Server) routesPrompts() {
	s.page("GET /admin/prompts", s.getPrompts)
	s.page("GET /admin/prompts/{lang}/{file}", s.getPromptWAV)
	s.handle("POST /admin/prompts", s.postPromptUpload)               // checks like page; see there
	s.handle("POST /admin/prompts/{lang}/{name}", s.postPromptUpload) // likewise
	s.page("POST /admin/prompts/{lang}/{name}/delete", s.postPromptDelete)
}

// validPromptPath returns the EINVALID error of a language or name no
// prompt can have, nil otherwise.
func validPromptPath(lang, name string) error {
	if !slices.Contains(anxin.Languages(), lang) {
		return anxin.ErrorKey(anxin.EINVALID, "err.prompt_lang", "%q is no language Anxin knows.", lang)
	}
	if !anxin.ValidPromptName(name) {
		return anxin.ErrorKey(anxin.EINVALID, "err.prompt_name", "A prompt's name is lower_snake_case letters and digits, at most 64.")
	}
	return nil
}

// promptFileError turns what media says of a file into what its uploader
// can act on.
func promptFileError(err error) error {
	var fe *media.FormatError
	var tooLarge *http.MaxBytesError
	detail := func() string {
		_, d, _ := strings.Cut(err.Error(), ": ")
		return truncate(d, 120)
	}
	switch {
	case errors.As(err, &fe) && fe.InWAV:
		return anxin.ErrorKey(anxin.EINVALID, "err.prompt_compressed", "The WAV file holds %s audio: save it as uncompressed PCM WAV.", fe.Format)
	case errors.As(err, &fe):
		return anxin.ErrorKey(anxin.EINVALID, "err.prompt_not_wav", "This is an %s file, not WAV: save or export the recording as WAV.", fe.Format)
	case errors.As(err, &tooLarge):
		return anxin.ErrorKey(anxin.EINVALID, "err.prompt_too_large", "The file is over %d MB; shorten the recording or save it as mono.", promptUploadMax>>20)
	case errors.Is(err, media.ErrPromptTooLong):
		return anxin.ErrorKey(anxin.EINVALID, "err.prompt_too_long", "The recording is over %d minutes.", int(media.MaxPromptDuration/time.Minute))
	case errors.Is(err, media.ErrEmptyPrompt):
		return anxin.ErrorKey(anxin.EINVALID, "err.prompt_empty", "The recording holds no audio.")
	case errors.Is(err, media.ErrUnsupportedWAV):
		return anxin.ErrorKey(anxin.EINVALID, "err.prompt_unsupported", "Anxin cannot read this WAV format (%s); save it as 16-bit PCM WAV.", detail())
	case errors.Is(err, media.ErrInvalidWAV):
		return anxin.ErrorKey(anxin.EINVALID, "err.prompt_invalid", "The file is not a valid WAV recording (%s).", detail())
	}
	return fmt.Errorf("read prompt upload: %w", err)
}

// uploadPrompt converts a recording, stores it as the prompt name in lang
// and audits it; filename and size describe the upload in the log.
func (s *Server) uploadPrompt(r *http.Request, sc anxin.Scope, lang, name string, body io.Reader, filename string) (*anxin.Prompt, error) {
	if err := validPromptPath(lang, name); err != nil {
		return nil, err
	}
	counted := &countingReader{r: body}
	samples, err := media.ConvertPrompt(counted)
	if err != nil {
		return nil, promptFileError(err)
	}
	var wav bytes.Buffer
	if err := media.WritePrompt(&wav, samples); err != nil {
		return nil, promptFileError(err)
	}
	p := &anxin.Prompt{Name: name, Lang: lang, Millis: len(samples) * 1000 / media.SampleRate}
	if err := s.db.SavePrompt(r.Context(), sc, p, wav.Bytes()); err != nil {
		return nil, err
	}
	if a := accountFrom(r.Context()); a != nil {
		p.UploadedByName = a.DisplayName
	}
	detail := fmt.Sprintf("%d bytes → %.1f s at 8 kHz", counted.n, float64(p.Millis)/1000)
	if filename != "" {
		detail = fmt.Sprintf("%q, %s", filename, detail)
	}
	return p, s.audit(r, &anxin.AuditEntry{Action: auditPromptUpload, TargetType: "prompt", TargetID: p.String(), Detail: detail})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// deletePrompt deletes an upload and audits it.
func (s *Server) deletePrompt(r *http.Request, sc anxin.Scope, lang, name string) error {
	if err := s.db.DeletePrompt(r.Context(), sc, name, lang); err != nil {
		return err
	}
	return s.audit(r, &anxin.AuditEntry{Action: auditPromptDelete, TargetType: "prompt", TargetID: lang + "/" + name})
}

// promptWAV returns the WAV file a call plays for name in lang: the upload
// where there is one, else the built-in prompt.
func (s *Server) promptWAV(r *http.Request, lang, name string) ([]byte, error) {
	if err := validPromptPath(lang, name); err != nil {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.prompt_not_found", "No uploaded prompt %s in %s.", name, lang)
	}
	b, err := s.db.PromptWAV(r.Context(), name, lang)
	if anxin.ErrorCode(err) == anxin.ENOTFOUND {
		if b, err = prompts.Open(lang, name); err != nil {
			return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.prompt_not_found", "No uploaded prompt %s in %s.", name, lang)
		}
	}
	return b, err
}

// staffScopeOf refuses accounts that see only what is assigned to them
// (suppliers, providers, volunteers).
func staffScopeOf(r *http.Request) (anxin.Scope, error) {
	sc := scopeOf(r)
	if sc.AssignedOnly {
		return sc, anxin.ErrorKey(anxin.EFORBIDDEN, "err.calls_staff_only", "Call records are for hotline and community staff.")
	}
	return sc, nil
}

// servePrompt writes a prompt's WAV file, with range requests for the
// browser's player.
func (s *Server) servePrompt(w http.ResponseWriter, r *http.Request, lang, name string) error {
	if _, err := staffScopeOf(r); err != nil {
		return err
	}
	b, err := s.promptWAV(r, lang, name)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "private, no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, name+".wav", time.Time{}, bytes.NewReader(b))
	return nil
}

func (s *Server) getPromptWAV(w http.ResponseWriter, r *http.Request) error {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".wav")
	if !ok {
		return anxin.Errorf(anxin.ENOTFOUND, "not found")
	}
	return s.servePrompt(w, r, r.PathValue("lang"), name)
}

// Page.

type promptsPage struct {
	*Page
	Langs   []choice
	Rows    []promptRow
	CanEdit bool
	// Error is a refused upload's message, shown in its cell (Cell is
	// "lang/name") or above the new prompt's form (Cell "").
	Error, Cell      string
	NewName, NewLang string
	MaxMB            int
}

// promptRow is one prompt in every language.
type promptRow struct {
	Name, Text string
	Builtin    bool
	Cells      []promptCell
}

// promptCell is a prompt in one language.
type promptCell struct {
	Name, Lang string
	Has        bool // a call plays something: an upload or the built-in file
	Uploaded   bool
	Replaces   bool // the upload replaces the built-in prompt
	Seconds    string
	By         string
	At         time.Time
	Error      string
}

func (s *Server) promptsPage(r *http.Request) (*promptsPage, error) {
	names, uploads, err := s.promptNames(r.Context())
	if err != nil {
		return nil, err
	}
	p := &promptsPage{Page: s.newPage(r, "prompts.title"), CanEdit: canEditTelephony(scopeOf(r)), MaxMB: promptUploadMax >> 20}
	for _, l := range anxin.Languages() {
		p.Langs = append(p.Langs, choice{l, langLabel(p.Page, l)})
	}
	up := map[string]anxin.Prompt{}
	for _, u := range uploads {
		up[u.String()] = u
	}
	builtin := prompts.Names()
	for _, name := range names {
		row := promptRow{Name: name, Text: promptText(p.Page, name), Builtin: slices.Contains(builtin, name)}
		for _, lang := range anxin.Languages() {
			c := promptCell{Name: name, Lang: lang}
			isBuiltin := row.Builtin && lang == prompts.Default
			if u, ok := up[lang+"/"+name]; ok {
				c.Has, c.Uploaded, c.Replaces = true, true, isBuiltin
				c.Seconds, c.By, c.At = seconds(u.Millis), u.UploadedByName, u.UploadedAt
			} else if isBuiltin {
				c.Has, c.Seconds = true, seconds(builtinMillis(name))
			}
			row.Cells = append(row.Cells, c)
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

// seconds shows a duration in milliseconds as "3.2".
func seconds(ms int) string { return fmt.Sprintf("%.1f", float64(ms)/1000) }

// builtinMillis is the length of a built-in prompt.
func builtinMillis(name string) int {
	b, err := prompts.Open(prompts.Default, name)
	if err != nil {
		return 0
	}
	samples, err := media.ReadPrompt(bytes.NewReader(b))
	if err != nil {
		return 0
	}
	return len(samples) * 1000 / media.SampleRate
}

func (s *Server) getPrompts(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	p, err := s.promptsPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "prompts", p)
	return nil
}

// parsePromptForm limits the body and reads a multipart form; files over
// 1 MB go to temporary files, which the caller removes with
// r.MultipartForm.RemoveAll.
func parsePromptForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, promptUploadMax)
	err := r.ParseMultipartForm(1 << 20)
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil, errors.Is(err, http.ErrNotMultipart):
		return nil
	case errors.As(err, &tooLarge):
		return promptFileError(err)
	}
	return fmt.Errorf("%w: %v", anxin.ErrorKey(anxin.EINVALID, "err.import_form", "The upload was interrupted or is not a file form; try again."), err)
}

// postPromptUpload stores a recording from the prompts page: a prompt's
// language cell (the path names both), or the form for a new prompt (name
// and lang fields). Like the roster import it is registered with handle:
// the body is limited and parsed first, then the same checks as page
// follow.
func (s *Server) postPromptUpload(w http.ResponseWriter, r *http.Request) error {
	if accountFrom(r.Context()) == nil {
		return anxin.ErrorKey(anxin.EUNAUTHORIZED, "err.signin_required", "Please sign in.")
	}
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	formErr := parsePromptForm(w, r)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	lang, name, cell := r.PathValue("lang"), r.PathValue("name"), true
	if formErr == nil {
		if err := s.checkCSRF(r); err != nil {
			return err
		}
		if lang == "" {
			lang, name, cell = r.PostFormValue("lang"), strings.TrimSpace(r.PostFormValue("name")), false
		}
	}
	err = formErr
	var fh *multipart.FileHeader
	if err == nil {
		if r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 {
			err = anxin.ErrorKey(anxin.EINVALID, "err.prompt_no_file", "Choose a WAV file to upload.")
		} else {
			fh = r.MultipartForm.File["file"][0]
		}
	}
	if err == nil {
		err = validPromptPath(lang, name)
	}
	if err == nil {
		var f multipart.File
		if f, err = fh.Open(); err == nil {
			_, err = s.uploadPrompt(r, sc, lang, name, f, cleanFilename(fh.Filename))
			f.Close()
		}
	}
	if err != nil {
		if !showInForm(err) {
			return err
		}
		p, perr := s.promptsPage(r)
		if perr != nil {
			return perr
		}
		p.Error = s.msgs.userMessage(p.Lang, err)
		if cell && formErr == nil {
			p.Cell = lang + "/" + name
			if !p.markCell(lang, name) {
				p.Cell = ""
			}
		} else {
			p.NewName, p.NewLang = name, lang
		}
		s.render(w, r, ErrorStatus(err), "prompts", p)
		return nil
	}
	http.Redirect(w, r, "/admin/prompts?flash=prompt_uploaded#prompt-"+name, http.StatusSeeOther)
	return nil
}

// markCell puts the error in a cell; false when no row shows it.
func (p *promptsPage) markCell(lang, name string) bool {
	for i := range p.Rows {
		for j := range p.Rows[i].Cells {
			if c := &p.Rows[i].Cells[j]; c.Name == name && c.Lang == lang {
				c.Error = p.Error
				return true
			}
		}
	}
	return false
}

func (s *Server) postPromptDelete(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if err := s.deletePrompt(r, sc, r.PathValue("lang"), name); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/prompts?flash=prompt_deleted#prompt-"+name, http.StatusSeeOther)
	return nil
}
