package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/anxin-care/anxin"
)

// ImportFile is a roster uploaded for import. It is kept in the database
// between the preview and the commit, so that the two requests may reach
// different nodes, and it remembers the outcome of its import so that a
// second commit of the same upload imports nothing.
type ImportFile struct {
	ID        string // random, unguessable: password.Token(16)
	AccountID int64  // the account that uploaded it; only it may use the file
	Filename  string
	Size      int64
	Data      []byte
	CreatedAt time.Time
	// CommittedAt is when the file was imported; zero until then.
	CommittedAt time.Time
	// Result is the JSON the importer recorded with MarkImportCommitted;
	// empty until then.
	Result json.RawMessage
}

// Committed reports whether the file has been imported.
func (f *ImportFile) Committed() bool { return !f.CommittedAt.IsZero() }

func errImportNotFound() error {
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.import_not_found", "The uploaded file is gone: it was discarded, or it is more than a day old. Upload it again.")
}

func errImportCommitted() error {
	return anxin.ErrorKey(anxin.ECONFLICT, "err.import_committed", "This file has already been imported.")
}

// SaveImportFile stores an uploaded file. The caller sets ID, AccountID,
// Filename and Data; Size defaults to len(Data) and CreatedAt to now. It
// returns ECONFLICT when the ID is taken.
func (db *DB) SaveImportFile(ctx context.Context, f *ImportFile) error {
	if f.ID == "" || f.AccountID == 0 {
		return anxin.Errorf(anxin.EINVALID, "import file needs an id and an account")
	}
	if f.Size == 0 {
		f.Size = int64(len(f.Data))
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = db.Now()
	}
	f.CreatedAt = f.CreatedAt.UTC()
	_, err := db.w.ExecContext(ctx, `INSERT INTO import_files (id, account_id, filename, size, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, f.ID, f.AccountID, f.Filename, f.Size, f.Data, f.CreatedAt)
	if err != nil {
		return mapError(fmt.Errorf("save import file %s: %w", f.Filename, err))
	}
	return nil
}

// FindImportFile returns the file id that accountID uploaded, with its
// data. It answers ENOTFOUND for a file that does not exist, was deleted,
// or belongs to another account.
func (db *DB) FindImportFile(ctx context.Context, accountID int64, id string) (*ImportFile, error) {
	f := &ImportFile{}
	var committed sql.NullTime
	var result string
	err := db.r.QueryRowContext(ctx, `SELECT id, account_id, filename, size, data, created_at, committed_at, result
		FROM import_files WHERE id = $1 AND account_id = $2`, id, accountID).
		Scan(&f.ID, &f.AccountID, &f.Filename, &f.Size, &f.Data, &f.CreatedAt, &committed, &result)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errImportNotFound()
	} else if err != nil {
		return nil, fmt.Errorf("find import file: %w", err)
	}
	f.CreatedAt, f.CommittedAt = f.CreatedAt.UTC(), timeOf(committed)
	if result != "" {
		f.Result = json.RawMessage(result)
	}
	return f, nil
}

// MarkImportCommitted records that file id was imported, with result (any
// value that encodes as JSON, such as the import's counts). Only the first
// mark counts: it answers ECONFLICT when the file is already marked, and
// ENOTFOUND when there is no such file.
func (db *DB) MarkImportCommitted(ctx context.Context, id string, result any) error {
	b, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("mark import %s: %w", id, err)
	}
	res, err := db.w.ExecContext(ctx, `UPDATE import_files SET committed_at = $1, result = $2
		WHERE id = $3 AND committed_at IS NULL`, db.Now().UTC(), string(b), id)
	if err != nil {
		return mapError(fmt.Errorf("mark import %s: %w", id, err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mark import %s: %w", id, err)
	} else if n == 1 {
		return nil
	}
	var exists int
	err = db.w.QueryRowContext(ctx, "SELECT COUNT(*) FROM import_files WHERE id = $1", id).Scan(&exists)
	switch {
	case err != nil:
		return fmt.Errorf("mark import %s: %w", id, err)
	case exists == 0:
		return errImportNotFound()
	}
	return errImportCommitted()
}

// DeleteImportFile discards a file accountID uploaded and has not
// imported. It answers ENOTFOUND when there is no such file of that
// account, and ECONFLICT when the file has been imported (it is kept, with
// its result, until DeleteOldImportFiles removes it).
func (db *DB) DeleteImportFile(ctx context.Context, accountID int64, id string) error {
	res, err := db.w.ExecContext(ctx, "DELETE FROM import_files WHERE id = $1 AND account_id = $2 AND committed_at IS NULL", id, accountID)
	if err != nil {
		return mapError(fmt.Errorf("delete import file: %w", err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete import file: %w", err)
	} else if n == 1 {
		return nil
	}
	var exists int
	if err := db.w.QueryRowContext(ctx, "SELECT COUNT(*) FROM import_files WHERE id = $1 AND account_id = $2", id, accountID).Scan(&exists); err != nil {
		return fmt.Errorf("delete import file: %w", err)
	} else if exists == 0 {
		return errImportNotFound()
	}
	return errImportCommitted()
}

// DeleteOldImportFiles removes the files uploaded before the given time,
// imported or not, and returns how many.
func (db *DB) DeleteOldImportFiles(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, "DELETE FROM import_files WHERE created_at < $1", before.UTC())
	if err != nil {
		return 0, mapError(fmt.Errorf("delete old import files: %w", err))
	}
	return res.RowsAffected()
}
