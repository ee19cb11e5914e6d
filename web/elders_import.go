package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/registry"
	"github.com/anxin-care/anxin/roster"
	"github.com/anxin-care/anxin/store"
	"github.com/xuri/excelize/v2"
)

// Roster import (/elders/import): a street office or committee uploads the
// roster it keeps in Excel, sees row by row what importing it would do and
// why rows are refused, downloads the check as a workbook, and imports the
// valid rows in one transaction. The upload is kept in the database between
// the preview and the commit, so the two may reach different nodes, and it
// remembers its result, so a second commit of one upload imports nothing.

// auditEldersImport is the audit action of a roster import; the command
// line records the same.
const auditEldersImport = "elders.import"

const (
	// importMaxBody caps an upload: the largest roster plus room for the
	// rest of the form.
	importMaxBody = roster.DefaultMaxBytes + 1<<20
	// importMemory is how much of a multipart form is held in memory;
	// larger files go to temporary files.
	importMemory = 1 << 20
	// importKeep is how long an upload is kept for its commit.
	importKeep = 24 * time.Hour
	// importShowValid and importShowProblems cap the preview's tables; the
	// report has every row.
	importShowValid    = 200
	importShowProblems = 1000
)

func (s *Server) routesEldersImport() {
	s.page("GET /elders/import", s.getEldersImport)
	s.handle("POST /elders/import", s.postEldersImport) // checks like page; see there
	s.page("POST /elders/import/{id}/commit", s.postEldersImportCommit)
	s.page("POST /elders/import/{id}/abort", s.postEldersImportAbort)
	s.page("GET /elders/import/{id}/report.xlsx", s.getEldersImportReport)
}

func (s *Server) apiEldersImport() {
	s.api("POST /api/v1/elders/import", s.apiPostEldersImport)
}

// importScopeOf returns the request's scope when its account may import:
// the registry's editors, not suppliers, providers or volunteers.
func importScopeOf(r *http.Request) (anxin.Scope, error) {
	sc, err := elderScopeOf(r)
	if err == nil && !canEditElders(sc) {
		err = anxin.ErrorKey(anxin.EFORBIDDEN, "err.elder_edit_forbidden", "Your role cannot change the registry.")
	}
	return sc, err
}

// deleteOldImports removes uploads older than importKeep; RunMaintenance
// calls it.
func (s *Server) deleteOldImports(ctx context.Context) {
	if n, err := s.db.DeleteOldImportFiles(ctx, s.cfg.Now().Add(-importKeep)); err != nil {
		s.log.Warn("delete old import files", "err", err)
	} else if n > 0 {
		s.log.Info("deleted old import files", "count", n)
	}
}

// parseUpload limits the request body and parses its multipart form;
// files over importMemory go to temporary files, which the caller removes
// with r.MultipartForm.RemoveAll. A body that is not multipart is left for
// the caller to find without a file.
func parseUpload(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, importMaxBody)
	err := r.ParseMultipartForm(importMemory)
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil, errors.Is(err, http.ErrNotMultipart):
		return nil
	case errors.As(err, &tooLarge):
		return anxin.ErrorKey(anxin.EINVALID, "err.import_too_large", "The file is over the %d MB limit; split the roster into smaller files.", roster.DefaultMaxBytes>>20)
	}
	return fmt.Errorf("%w: %v", anxin.ErrorKey(anxin.EINVALID, "err.import_form", "The upload was interrupted or is not a file form; try again."), err)
}

// uploadedRoster reads the roster in the form's file field.
func uploadedRoster(r *http.Request) (*multipart.FileHeader, *roster.Sheet, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 {
		return nil, nil, anxin.ErrorKey(anxin.EINVALID, "err.import_no_file", "Choose a roster file (.xlsx or .csv) to upload.")
	}
	fh := r.MultipartForm.File["file"][0]
	fh.Filename = cleanFilename(fh.Filename)
	f, err := fh.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	sh, err := roster.Read(f, fh.Size, fh.Filename, roster.Options{})
	return fh, sh, err
}

// cleanFilename keeps the last element of a name a browser sent (old ones
// send a Windows path), without control characters, at most 200 bytes.
func cleanFilename(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == "" {
		name = "roster"
	}
	return truncate(name, 200)
}

// importFormPage is the upload form.
type importFormPage struct {
	*Page
	MaxMB int
	Error string
}

func (s *Server) importForm(r *http.Request) *importFormPage {
	return &importFormPage{Page: s.newPage(r, "import.title"), MaxMB: roster.DefaultMaxBytes >> 20}
}

// getEldersImport shows the upload form.
func (s *Server) getEldersImport(w http.ResponseWriter, r *http.Request) error {
	if _, err := importScopeOf(r); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "elders_import", s.importForm(r))
	return nil
}

// postEldersImport reads an uploaded roster, keeps it, and shows the
// preview. It is registered with handle rather than page: page's CSRF check
// reads the form with a 1 MiB limit, so here the body is limited and parsed
// first, and the same checks follow. A file Anxin cannot read is refused
// (400) on the form, with the reason.
func (s *Server) postEldersImport(w http.ResponseWriter, r *http.Request) error {
	a := accountFrom(r.Context())
	if a == nil {
		return anxin.ErrorKey(anxin.EUNAUTHORIZED, "err.signin_required", "Please sign in.")
	}
	sc, err := importScopeOf(r)
	if err != nil {
		return err
	}
	err = parseUpload(w, r)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err == nil {
		if err = s.checkCSRF(r); err != nil {
			return err
		}
	}
	var fh *multipart.FileHeader
	var sh *roster.Sheet
	if err == nil {
		fh, sh, err = uploadedRoster(r)
	}
	if err != nil {
		if anxin.ErrorCode(err) != anxin.EINVALID {
			return err
		}
		p := s.importForm(r)
		p.Error = s.msgs.userMessage(p.Lang, err)
		s.render(w, r, http.StatusBadRequest, "elders_import", p)
		return nil
	}
	prev, err := (&registry.Importer{DB: s.db}).Preview(r.Context(), sc, sh)
	if err != nil {
		return err
	}
	f := &store.ImportFile{ID: password.Token(16), AccountID: a.ID, Filename: fh.Filename, Size: fh.Size}
	if f.Data, err = readUpload(fh); err != nil {
		return err
	}
	if err := s.db.SaveImportFile(r.Context(), f); err != nil {
		return err
	}
	p, err := s.importPreview(r, f, prev)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "elders_import_preview", p)
	return nil
}

// readUpload returns the bytes of an uploaded file.
func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	b := make([]byte, fh.Size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	return b, nil
}

// importPreviewPage shows what importing an upload would do.
type importPreviewPage struct {
	*Page
	File     *store.ImportFile
	Preview  *registry.Preview
	Encoding string
	Would    registry.Counts // Created, Updated, Unchanged: what the import would do
	Problems []importProblem
	Valid    []importValidRow
	// MoreProblems and MoreValid count what the tables leave out.
	MoreProblems, MoreValid int
}

// importProblem is one problem of one refused row.
type importProblem struct {
	Row                   int
	Column, Reason, Value string
}

// importValidRow is one row that would be imported.
type importValidRow struct {
	Row                     int
	Name, Committee, Action string
}

func (s *Server) importPreview(r *http.Request, f *store.ImportFile, prev *registry.Preview) (*importPreviewPage, error) {
	p := &importPreviewPage{Page: s.newPage(r, "import.preview_title"), File: f, Preview: prev,
		Encoding: encodingLabel(prev.Encoding), Would: wouldCounts(prev)}
	for _, e := range prev.Errors() {
		if len(p.Problems) == importShowProblems {
			p.MoreProblems++
			continue
		}
		p.Problems = append(p.Problems, importProblem{Row: e.Row, Column: e.Column, Reason: reasonLabel(p.Page, e.Reason), Value: e.Value})
	}
	names := map[string]string{}
	for _, rr := range prev.Rows {
		if rr.Action == registry.ActionReject {
			continue
		}
		if len(p.Valid) == importShowValid {
			p.MoreValid++
			continue
		}
		e := rr.Elder
		if _, ok := names[e.RegionCode]; !ok {
			names[e.RegionCode] = shortRegion(e.RegionName)
			if e.RegionName == "" {
				reg, err := s.db.FindRegion(r.Context(), e.RegionCode)
				if err != nil {
					return nil, err
				}
				names[e.RegionCode] = shortRegion(reg.FullName)
			}
		}
		p.Valid = append(p.Valid, importValidRow{Row: rr.Row, Name: e.Name, Committee: names[e.RegionCode], Action: p.T("import.action." + rr.Action)})
	}
	return p, nil
}

// wouldCounts sums what an import of the preview would do.
func wouldCounts(p *registry.Preview) registry.Counts {
	c := p.Counts
	for _, rr := range p.Rows {
		switch rr.Action {
		case registry.ActionCreate:
			c.Created++
		case registry.ActionUpdate:
			c.Updated++
		case registry.ActionUnchange:
			c.Unchanged++
		}
	}
	return c
}

// reasonLabel translates a reason code, keeping unknown ones as they are.
func reasonLabel(p *Page, reason string) string {
	if m, ok := p.msgs.lookup(p.Lang, "reason."+reason); ok {
		return m
	}
	return reason
}

// encodingLabel names a CSV file's encoding as people know it.
func encodingLabel(enc string) string {
	switch enc {
	case "":
		return ""
	case "gb18030":
		return "GBK (GB18030)"
	case "utf-8", "utf-8-bom":
		return "UTF-8"
	}
	return strings.ToUpper(enc)
}

// findImport finds the request's upload, which must be the account's.
func (s *Server) findImport(r *http.Request) (*store.ImportFile, error) {
	return s.db.FindImportFile(r.Context(), accountFrom(r.Context()).ID, r.PathValue("id"))
}

// previewImport reads an upload again and previews it again: the registry
// may have changed since the upload.
func (s *Server) previewImport(ctx context.Context, sc anxin.Scope, f *store.ImportFile) (*roster.Sheet, *registry.Preview, error) {
	sh, err := roster.Read(bytes.NewReader(f.Data), f.Size, f.Filename, roster.Options{})
	if err != nil {
		return nil, nil, err
	}
	prev, err := (&registry.Importer{DB: s.db}).Preview(ctx, sc, sh)
	return sh, prev, err
}

// importDonePage shows the outcome of an import.
type importDonePage struct {
	*Page
	File    *store.ImportFile
	Counts  registry.Counts
	Already bool // the file had been imported before this request
}

// postEldersImportCommit imports the valid rows of an upload in one
// transaction and records the result on the upload. An upload already
// imported (a double click, a reload, a second tab) shows the recorded
// result and imports nothing.
func (s *Server) postEldersImportCommit(w http.ResponseWriter, r *http.Request) error {
	sc, err := importScopeOf(r)
	if err != nil {
		return err
	}
	f, err := s.findImport(r)
	if err != nil {
		return err
	}
	if f.Committed() {
		return s.renderImportDone(w, r, f, nil)
	}
	_, prev, err := s.previewImport(r.Context(), sc, f)
	if err != nil {
		return err
	}
	counts := wouldCounts(prev)
	if prev.Valid > 0 {
		if counts, err = (&registry.Importer{DB: s.db}).Commit(r.Context(), sc, prev); err != nil {
			return fmt.Errorf("import %s: nothing imported: %w", f.ID, err)
		}
		s.audit(r, &anxin.AuditEntry{Action: auditEldersImport, TargetType: "import", TargetID: f.ID, Detail: importDetail(f.Filename, counts)})
	}
	switch err := s.db.MarkImportCommitted(r.Context(), f.ID, counts); {
	case anxin.ErrorCode(err) == anxin.ECONFLICT:
		// Another request imported the file meanwhile; the import above
		// matched its rows and created nothing twice.
		if f, err = s.db.FindImportFile(r.Context(), f.AccountID, f.ID); err != nil {
			return err
		}
		return s.renderImportDone(w, r, f, nil)
	case err != nil:
		return err
	}
	return s.renderImportDone(w, r, f, &counts)
}

// renderImportDone shows counts, or, when nil, the result recorded on an
// upload imported before.
func (s *Server) renderImportDone(w http.ResponseWriter, r *http.Request, f *store.ImportFile, counts *registry.Counts) error {
	p := &importDonePage{Page: s.newPage(r, "import.done_title"), File: f}
	if counts != nil {
		p.Counts = *counts
	} else {
		p.Already = true
		if err := json.Unmarshal(f.Result, &p.Counts); err != nil {
			return fmt.Errorf("import %s result: %w", f.ID, err)
		}
	}
	s.render(w, r, http.StatusOK, "elders_import_done", p)
	return nil
}

func importDetail(filename string, c registry.Counts) string {
	return fmt.Sprintf("%s: %d rows: %d created, %d updated, %d unchanged, %d rejected", filename, c.Total, c.Created, c.Updated, c.Unchanged, c.Rejected)
}

// postEldersImportAbort discards an upload that was not imported.
func (s *Server) postEldersImportAbort(w http.ResponseWriter, r *http.Request) error {
	if _, err := importScopeOf(r); err != nil {
		return err
	}
	if err := s.db.DeleteImportFile(r.Context(), accountFrom(r.Context()).ID, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/elders/import?flash=import_aborted", http.StatusSeeOther)
	return nil
}

// getEldersImportReport sends the check of an upload as a workbook: every
// row as read, with what importing it does and why it is refused. Like
// every export it is recorded in the audit log first; when that fails,
// nothing is sent.
func (s *Server) getEldersImportReport(w http.ResponseWriter, r *http.Request) error {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.forbidden", "Cross-site export refused.")
	}
	sc, err := importScopeOf(r)
	if err != nil {
		return err
	}
	f, err := s.findImport(r)
	if err != nil {
		return err
	}
	sh, prev, err := s.previewImport(r.Context(), sc, f)
	if err != nil {
		return err
	}
	p := s.newPage(r, "import.report_sheet")
	buf, err := importWorkbook(p, sh, prev)
	if err != nil {
		return fmt.Errorf("build import report: %w", err)
	}
	detail := fmt.Sprintf("import report of %s; rows=%d", f.Filename, len(sh.Records))
	if err := s.audit(r, &anxin.AuditEntry{Action: anxin.AuditExport, TargetType: "import", TargetID: f.ID, Detail: detail}); err != nil {
		return fmt.Errorf("audit export refused, not recorded: %w", err)
	}
	name := strings.TrimSuffix(f.Filename, path.Ext(f.Filename)) + "-" + p.Title + ".xlsx"
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(buf)
	return nil
}

// reportHeaders returns the header of each of the sheet's first width
// columns: a mapped column's header, else the unmapped headers in column
// order (Read keeps their order, not their place, so a column without a
// header before one with it shifts the names).
func reportHeaders(sh *roster.Sheet, width int) []string {
	hs := make([]string, width)
	for _, c := range sh.Columns {
		if c.Index < width {
			hs[c.Index] = c.Header
		}
	}
	un := sh.Unmapped
	for i := range hs {
		if hs[i] == "" && len(un) > 0 { // a mapped column always has a header
			hs[i], un = un[0], un[1:]
		}
	}
	return hs
}

// importWorkbook writes the check of a roster with the stream writer: the
// rows as read under their headers, then the outcome, the reasons (naming
// the column: "出生日期：日期无效") and the row number in the file.
func importWorkbook(p *Page, sh *roster.Sheet, prev *registry.Preview) ([]byte, error) {
	width := 0
	for _, c := range sh.Columns {
		width = max(width, c.Index+1)
	}
	for _, rec := range sh.Records {
		width = max(width, len(rec.Raw))
	}
	widths := make([]float64, width+2)
	for k := range width {
		widths[k] = 14
	}
	widths[width+1] = 60
	header := []any{}
	for _, h := range reportHeaders(sh, width) {
		header = append(header, h)
	}
	header = append(header, p.T("import.report_result"), p.T("import.report_errors"), p.T("import.report_row"))
	t := table{Sheet: p.Title, Widths: widths, Header: header}
	return t.write(func(f *excelize.File, add func([]any) error) error {
		refused, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "B91C1C"}})
		if err != nil {
			return err
		}
		for i, rec := range sh.Records {
			rr := prev.Rows[i]
			row := make([]any, width, width+3)
			for j, v := range rec.Raw {
				row[j] = v
			}
			var reasons []string
			for _, e := range rr.Errors {
				reasons = append(reasons, strings.TrimPrefix(e.Column+"：", "：")+reasonLabel(p, e.Reason))
			}
			result := any(p.T("import.action." + rr.Action))
			if rr.Action == registry.ActionReject {
				result = excelize.Cell{StyleID: refused, Value: result}
			}
			if err := add(append(row, result, strings.Join(reasons, "；"), rec.Row)); err != nil {
				return err
			}
		}
		return nil
	})
}

// importReport is the API's answer to an import, the object `anxin elders
// import --json` prints. With dry_run, created, updated and unchanged say
// what the import would do.
type importReport struct {
	File string `json:"file"`
	*registry.Preview
	registry.Counts
	DryRun bool                `json:"dry_run"`
	Errors []registry.RowError `json:"errors"`
}

// apiPostEldersImport answers POST /api/v1/elders/import: the roster in the
// multipart field "file" is checked and, unless dry_run=true, its valid
// rows imported in one transaction.
func (s *Server) apiPostEldersImport(w http.ResponseWriter, r *http.Request) error {
	sc, err := importScopeOf(r)
	if err != nil {
		return err
	}
	err = parseUpload(w, r)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err != nil {
		return err
	}
	fh, sh, err := uploadedRoster(r)
	if err != nil {
		return err
	}
	im := &registry.Importer{DB: s.db}
	prev, err := im.Preview(r.Context(), sc, sh)
	if err != nil {
		return err
	}
	dry := formBool(r.URL.Query().Get("dry_run"))
	counts := wouldCounts(prev)
	if !dry && prev.Valid > 0 {
		if counts, err = im.Commit(r.Context(), sc, prev); err != nil {
			return fmt.Errorf("import %s: nothing imported: %w", fh.Filename, err)
		}
		s.audit(r, &anxin.AuditEntry{Action: auditEldersImport, TargetType: "import", Detail: importDetail(fh.Filename, counts)})
	}
	writeJSON(w, http.StatusOK, importReport{File: fh.Filename, Preview: prev, Counts: counts, DryRun: dry, Errors: prev.Errors()})
	return nil
}
