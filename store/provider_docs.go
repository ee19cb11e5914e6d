package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
)

// Licence documents of providers and suppliers. PIPL: only the
// organisation's own staff and administrators who see the organisation
// see them (anxin.Scope.SeesProviderDocuments); for everyone else they do
// not exist (ENOTFOUND). The web layer audits every download.

func errDocumentNotFound(id int64) error {
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.document_not_found", "Document %d not found.", id)
}

// documentOrg returns the organisation whose documents sc may see, or
// ENOTFOUND.
func documentOrg(ctx context.Context, q queryer, sc anxin.Scope, orgID int64) (*anxin.Org, error) {
	org, err := findOrg(ctx, q, sc, orgID)
	if err != nil {
		return nil, err
	}
	if (org.Kind != anxin.OrgProvider && org.Kind != anxin.OrgSupplier) || !sc.SeesProviderDocuments(org) {
		return nil, errProviderNotFound(orgID)
	}
	return org, nil
}

// AddProviderDocument checks and stores a document of d.OrgID: a PDF,
// JPEG or PNG (by content) of at most anxin.MaxDocumentBytes. The same
// file uploaded again is not stored twice: d becomes the stored one.
// EINVALID for a bad file or too many documents.
func (db *DB) AddProviderDocument(ctx context.Context, sc anxin.Scope, d *anxin.ProviderDocument) error {
	if err := d.CheckDocument(); err != nil {
		return err
	}
	d.Filename = strings.TrimSpace(d.Filename)
	for len(d.Filename) > 200 || !utf8.ValidString(d.Filename) {
		d.Filename = strings.ToValidUTF8(d.Filename[:min(len(d.Filename), 200)], "")
	}
	if d.Filename == "" {
		d.Filename = "document"
	}
	sum := sha256.Sum256(d.Data)
	d.SHA256 = hex.EncodeToString(sum[:])
	return db.Transact(ctx, func(tx *Tx) error {
		if _, err := documentOrg(ctx, tx, sc, d.OrgID); err != nil {
			return err
		}
		var n int
		var same int64
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(MAX(CASE WHEN sha256 = $2 THEN id END), 0) FROM provider_documents WHERE org_id = $1",
			d.OrgID, d.SHA256).Scan(&n, &same); err != nil {
			return fmt.Errorf("count documents: %w", err)
		}
		if same != 0 {
			stored, err := findDocument(ctx, tx, d.OrgID, same, false)
			if err == nil {
				*d = *stored
			}
			return err
		}
		if n >= anxin.MaxProviderDocuments {
			return anxin.ErrorKey(anxin.EINVALID, "err.documents_many", "At most %d documents; delete one first.", anxin.MaxProviderDocuments)
		}
		d.UploadedAt = db.Now()
		if sc.AccountID != 0 {
			name, err := tx.displayName(ctx, sc.AccountID)
			if err != nil {
				return err
			}
			d.UploadedByName = name
		}
		return tx.QueryRowContext(ctx, `INSERT INTO provider_documents (org_id, kind, filename, content_type, size, sha256, data, uploaded_by, uploaded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			d.OrgID, d.Kind, d.Filename, d.ContentType, d.Size, d.SHA256, d.Data, accountOrNil(sc), d.UploadedAt).Scan(&d.ID)
	})
}

func (tx *Tx) displayName(ctx context.Context, id int64) (string, error) {
	var n string
	err := tx.QueryRowContext(ctx, "SELECT display_name FROM accounts WHERE id = $1", id).Scan(&n)
	return n, err
}

const documentCols = "d.id, d.org_id, d.kind, d.filename, d.content_type, d.size, d.sha256, COALESCE(a.display_name, ''), d.uploaded_at"
const documentFrom = " FROM provider_documents d LEFT JOIN accounts a ON a.id = d.uploaded_by"

func scanDocument(s interface{ Scan(...any) error }, withData bool) (*anxin.ProviderDocument, error) {
	d := &anxin.ProviderDocument{}
	dest := []any{&d.ID, &d.OrgID, &d.Kind, &d.Filename, &d.ContentType, &d.Size, &d.SHA256, &d.UploadedByName, &d.UploadedAt}
	if withData {
		dest = append(dest, &d.Data)
	}
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	d.UploadedAt = d.UploadedAt.UTC()
	return d, nil
}

func findDocument(ctx context.Context, q queryer, orgID, id int64, withData bool) (*anxin.ProviderDocument, error) {
	cols := documentCols
	if withData {
		cols += ", d.data"
	}
	d, err := scanDocument(q.QueryRowContext(ctx, "SELECT "+cols+documentFrom+" WHERE d.id = $1 AND d.org_id = $2", id, orgID), withData)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errDocumentNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("find document %d: %w", id, err)
	}
	return d, nil
}

// FindProviderDocuments lists an organisation's documents, oldest first,
// without their data; ENOTFOUND unless sc may see them.
func (db *DB) FindProviderDocuments(ctx context.Context, sc anxin.Scope, orgID int64) ([]*anxin.ProviderDocument, error) {
	if _, err := documentOrg(ctx, db.r, sc, orgID); err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+documentCols+documentFrom+" WHERE d.org_id = $1 ORDER BY d.id", orgID)
	if err != nil {
		return nil, fmt.Errorf("find documents: %w", err)
	}
	defer rows.Close()
	out := []*anxin.ProviderDocument{}
	for rows.Next() {
		d, err := scanDocument(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// FindProviderDocument returns one document with its data; ENOTFOUND
// unless sc may see it.
func (db *DB) FindProviderDocument(ctx context.Context, sc anxin.Scope, orgID, id int64) (*anxin.ProviderDocument, error) {
	if _, err := documentOrg(ctx, db.r, sc, orgID); err != nil {
		return nil, err
	}
	return findDocument(ctx, db.r, orgID, id, true)
}

// DeleteProviderDocument removes a document. The organisation's staff may
// while the application is not approved (an approved provider's documents
// are the record of what was approved); administrators who see it always.
func (db *DB) DeleteProviderDocument(ctx context.Context, sc anxin.Scope, orgID, id int64) error {
	return db.Transact(ctx, func(tx *Tx) error {
		org, err := documentOrg(ctx, tx, sc, orgID)
		if err != nil {
			return err
		}
		if _, err := findDocument(ctx, tx, orgID, id, false); err != nil {
			return err
		}
		if !sc.CanReviewProvider(org) {
			p, err := findProvider(ctx, tx, sc, orgID)
			if err != nil {
				return err
			}
			if p.Status == anxin.ProviderApproved || p.Status == anxin.ProviderSuspended {
				return anxin.ErrorKey(anxin.EFORBIDDEN, "err.provider_locked", "The application is approved; ask the platform's administrators to change it.")
			}
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM provider_documents WHERE id = $1 AND org_id = $2", id, orgID)
		return err
	})
}
