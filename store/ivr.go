package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/anxin-care/anxin"
)

// IVR menus, queue settings, operators' skills and uploaded prompts (issue
// 5). Platform administrators change menus, queues and prompts; an
// operator's skills are set by an administrator or a supervisor who sees
// the operator's account. The call flows read them all (no scope).

// Menus lists the IVR menus by name, each with the hotline numbers that
// start at it.
func (db *DB) Menus(ctx context.Context) ([]*anxin.Menu, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT id, name, greeting, prompt, options, timeout_s, updated_at FROM ivr_menus ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("menus: %w", err)
	}
	defer rows.Close()
	var out []*anxin.Menu
	byID := map[int64]*anxin.Menu{}
	for rows.Next() {
		m, err := scanMenu(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
		byID[m.ID] = m
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	nrows, err := db.r.QueryContext(ctx, "SELECT number, menu_id FROM dids WHERE menu_id IS NOT NULL ORDER BY number")
	if err != nil {
		return nil, fmt.Errorf("menus' numbers: %w", err)
	}
	defer nrows.Close()
	for nrows.Next() {
		var number string
		var id int64
		if err := nrows.Scan(&number, &id); err != nil {
			return nil, err
		}
		if m := byID[id]; m != nil {
			m.Numbers = append(m.Numbers, number)
		}
	}
	return out, nrows.Err()
}

func scanMenu(rows interface{ Scan(...any) error }) (*anxin.Menu, error) {
	var m anxin.Menu
	var options string
	if err := rows.Scan(&m.ID, &m.Name, &m.Greeting, &m.Prompt, &options, &m.TimeoutSeconds, &m.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(options), &m.Options); err != nil {
		return nil, anxin.Errorf(anxin.EINVALID, "the stored options of menu %q are not valid JSON: %v", m.Name, err)
	}
	m.UpdatedAt = m.UpdatedAt.UTC()
	return &m, nil
}

// Menu returns a menu by ID (with its numbers).
func (db *DB) Menu(ctx context.Context, id int64) (*anxin.Menu, error) {
	menus, err := db.Menus(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range menus {
		if m.ID == id {
			return m, nil
		}
	}
	return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.menu_not_found", "Menu %d not found.", id)
}

// SaveMenu creates a menu (ID 0) or replaces one, and makes it the first
// menu of m.Numbers (the hotline numbers; a number starts at one menu, so
// it leaves the menu it started at). Sub-menus named by options must
// exist; queues need not (a queue without settings serves with
// anxin.DefaultQueue).
func (db *DB) SaveMenu(ctx context.Context, sc anxin.Scope, m *anxin.Menu) error {
	if !sc.All || !sc.Has(anxin.RoleAdmin) {
		return errTelephonyAdmin()
	}
	if err := m.Validate(); err != nil {
		return err
	}
	options, err := json.Marshal(m.Options)
	if err != nil {
		return err
	}
	if m.Options == nil {
		options = []byte("[]")
	}
	return db.Transact(ctx, func(tx *Tx) error {
		for _, o := range m.Options {
			if o.Action != anxin.MenuSubmenu && !(o.Action == anxin.MenuLanguage && o.Next != "") {
				continue
			}
			name := o.Target
			if o.Action == anxin.MenuLanguage {
				name = o.Next
			}
			var id int64
			if err := tx.QueryRowContext(ctx, "SELECT id FROM ivr_menus WHERE name = $1", name).Scan(&id); errors.Is(err, sql.ErrNoRows) {
				return anxin.ErrorKey(anxin.EINVALID, "err.menu_no_submenu", "Key %s leads to menu %q, which does not exist.", o.Key, name)
			} else if err != nil {
				return err
			}
		}
		now := db.Now().UTC()
		if m.ID == 0 {
			err := tx.QueryRowContext(ctx, `INSERT INTO ivr_menus (name, greeting, prompt, options, timeout_s, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, m.Name, m.Greeting, m.Prompt, string(options), m.TimeoutSeconds, now).Scan(&m.ID)
			if err != nil {
				return mapMenuError(err, m.Name)
			}
		} else {
			res, err := tx.ExecContext(ctx, `UPDATE ivr_menus SET name = $1, greeting = $2, prompt = $3, options = $4, timeout_s = $5, updated_at = $6
				WHERE id = $7`, m.Name, m.Greeting, m.Prompt, string(options), m.TimeoutSeconds, now, m.ID)
			if err != nil {
				return mapMenuError(err, m.Name)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return anxin.ErrorKey(anxin.ENOTFOUND, "err.menu_not_found", "Menu %d not found.", m.ID)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE dids SET menu_id = NULL WHERE menu_id = $1", m.ID); err != nil {
				return err
			}
		}
		m.UpdatedAt = now
		slices.Sort(m.Numbers)
		m.Numbers = slices.Compact(m.Numbers)
		for _, n := range m.Numbers {
			res, err := tx.ExecContext(ctx, "UPDATE dids SET menu_id = $1 WHERE number = $2", m.ID, n)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return anxin.ErrorKey(anxin.EINVALID, "err.did_not_found", "No hotline number %s.", n)
			}
		}
		return nil
	})
}

func mapMenuError(err error, name string) error {
	if anxin.ErrorCode(mapError(err)) == anxin.ECONFLICT {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.menu_name_taken", "There is a menu named %q already.", name)
	}
	return fmt.Errorf("save menu: %w", err)
}

// DeleteMenu deletes a menu no hotline number starts at and no other menu
// leads to.
func (db *DB) DeleteMenu(ctx context.Context, sc anxin.Scope, id int64) error {
	if !sc.All || !sc.Has(anxin.RoleAdmin) {
		return errTelephonyAdmin()
	}
	menus, err := db.Menus(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(menus, func(m *anxin.Menu) bool { return m.ID == id })
	if i < 0 {
		return anxin.ErrorKey(anxin.ENOTFOUND, "err.menu_not_found", "Menu %d not found.", id)
	}
	m := menus[i]
	if len(m.Numbers) > 0 {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.menu_in_use", "Menu %q is in use (%s).", m.Name, m.Numbers[0])
	}
	for _, o := range menus {
		for _, opt := range o.Options {
			if (opt.Action == anxin.MenuSubmenu && opt.Target == m.Name) || (opt.Action == anxin.MenuLanguage && opt.Next == m.Name) {
				return anxin.ErrorKey(anxin.ECONFLICT, "err.menu_in_use", "Menu %q is in use (%s).", m.Name, o.Name)
			}
		}
	}
	_, err = db.w.ExecContext(ctx, "DELETE FROM ivr_menus WHERE id = $1", id)
	return err
}

// Queues lists the queues with settings of their own, by name.
func (db *DB) Queues(ctx context.Context) ([]anxin.Queue, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT name, label, skill, overflow_s, max_wait_s, announce_s FROM queues ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("queues: %w", err)
	}
	defer rows.Close()
	var out []anxin.Queue
	for rows.Next() {
		var q anxin.Queue
		if err := rows.Scan(&q.Name, &q.Label, &q.Skill, &q.OverflowSeconds, &q.MaxWaitSeconds, &q.AnnounceSeconds); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// SaveQueue stores a queue's settings (creating them).
func (db *DB) SaveQueue(ctx context.Context, sc anxin.Scope, q *anxin.Queue) error {
	if !sc.All || !sc.Has(anxin.RoleAdmin) {
		return errTelephonyAdmin()
	}
	if err := q.Validate(); err != nil {
		return err
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO queues (name, label, skill, overflow_s, max_wait_s, announce_s, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (name) DO UPDATE SET label = excluded.label, skill = excluded.skill, overflow_s = excluded.overflow_s,
			max_wait_s = excluded.max_wait_s, announce_s = excluded.announce_s, updated_at = excluded.updated_at`,
		q.Name, q.Label, q.Skill, q.OverflowSeconds, q.MaxWaitSeconds, q.AnnounceSeconds, db.Now().UTC())
	if err != nil {
		return fmt.Errorf("save queue: %w", err)
	}
	return nil
}

// Skills returns the skills of accounts by account ID (accounts without
// skills are left out).
func (db *DB) Skills(ctx context.Context, accounts ...int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(accounts) == 0 {
		return out, nil
	}
	var w where
	whereIn(&w, "account_id", accounts)
	rows, err := db.r.QueryContext(ctx, "SELECT account_id, skill FROM agent_skills"+w.sql()+" ORDER BY account_id, skill", w.args...)
	if err != nil {
		return nil, fmt.Errorf("skills: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			return nil, err
		}
		out[id] = append(out[id], s)
	}
	return out, rows.Err()
}

// SetSkills replaces an operator's skills: administrators, and supervisors
// who see the account.
func (db *DB) SetSkills(ctx context.Context, sc anxin.Scope, account int64, skills []string) error {
	if !sc.Has(anxin.RoleAdmin) && !sc.Has(anxin.RoleSupervisor) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.skills_forbidden", "Only supervisors and administrators set operators' skills.")
	}
	if _, err := db.FindAccount(ctx, sc, account); err != nil {
		return err
	}
	skills = slices.Clone(skills)
	slices.Sort(skills)
	skills = slices.Compact(skills)
	for _, s := range skills {
		if !anxin.ValidSkill(s) {
			return anxin.ErrorKey(anxin.EINVALID, "err.skill", "A skill is 1 to 32 lower-case letters, digits, - or _.")
		}
	}
	return db.Transact(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM agent_skills WHERE account_id = $1", account); err != nil {
			return err
		}
		for _, s := range skills {
			if _, err := tx.ExecContext(ctx, "INSERT INTO agent_skills (account_id, skill) VALUES ($1, $2)", account, s); err != nil {
				return err
			}
		}
		return nil
	})
}

// SavePrompt stores an uploaded prompt (8 kHz mono 16-bit WAV, checked by
// the caller) of name in lang, replacing an earlier upload.
func (db *DB) SavePrompt(ctx context.Context, sc anxin.Scope, p *anxin.Prompt, wav []byte) error {
	if !sc.All || !sc.Has(anxin.RoleAdmin) {
		return errTelephonyAdmin()
	}
	if !anxin.ValidPromptName(p.Name) {
		return anxin.ErrorKey(anxin.EINVALID, "err.prompt_name", "A prompt's name is lower_snake_case letters and digits, at most 64.")
	}
	if !slices.Contains(anxin.Languages(), p.Lang) {
		return anxin.ErrorKey(anxin.EINVALID, "err.prompt_lang", "%q is no language Anxin knows.", p.Lang)
	}
	p.UploadedBy, p.UploadedAt = sc.AccountID, db.Now().UTC()
	_, err := db.w.ExecContext(ctx, `INSERT INTO prompt_files (name, lang, wav, millis, uploaded_by, uploaded_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (name, lang) DO UPDATE SET wav = excluded.wav, millis = excluded.millis,
			uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at`,
		p.Name, p.Lang, wav, p.Millis, nullID(sc.AccountID), p.UploadedAt)
	if err != nil {
		return fmt.Errorf("save prompt: %w", err)
	}
	return nil
}

// DeletePrompt deletes an uploaded prompt (a built-in one plays again).
func (db *DB) DeletePrompt(ctx context.Context, sc anxin.Scope, name, lang string) error {
	if !sc.All || !sc.Has(anxin.RoleAdmin) {
		return errTelephonyAdmin()
	}
	res, err := db.w.ExecContext(ctx, "DELETE FROM prompt_files WHERE name = $1 AND lang = $2", name, lang)
	if err != nil {
		return fmt.Errorf("delete prompt: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return anxin.ErrorKey(anxin.ENOTFOUND, "err.prompt_not_found", "No uploaded prompt %s in %s.", name, lang)
	}
	return nil
}

// UploadedPrompts lists the uploaded prompts (without their audio) by
// name and language.
func (db *DB) UploadedPrompts(ctx context.Context) ([]anxin.Prompt, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT p.name, p.lang, p.millis, COALESCE(p.uploaded_by, 0), COALESCE(a.display_name, ''), p.uploaded_at
		FROM prompt_files p LEFT JOIN accounts a ON a.id = p.uploaded_by ORDER BY p.name, p.lang`)
	if err != nil {
		return nil, fmt.Errorf("prompts: %w", err)
	}
	defer rows.Close()
	var out []anxin.Prompt
	for rows.Next() {
		var p anxin.Prompt
		if err := rows.Scan(&p.Name, &p.Lang, &p.Millis, &p.UploadedBy, &p.UploadedByName, &p.UploadedAt); err != nil {
			return nil, err
		}
		p.UploadedAt = p.UploadedAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// PromptWAV returns an uploaded prompt's WAV file.
func (db *DB) PromptWAV(ctx context.Context, name, lang string) ([]byte, error) {
	var b []byte
	err := db.r.QueryRowContext(ctx, "SELECT wav FROM prompt_files WHERE name = $1 AND lang = $2", name, lang).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.prompt_not_found", "No uploaded prompt %s in %s.", name, lang)
	}
	return b, err
}

// PromptsVersion changes whenever a prompt is uploaded or deleted: the
// call flows reload the uploads when it does.
func (db *DB) PromptsVersion(ctx context.Context) (string, error) {
	ps, err := db.UploadedPrompts(ctx)
	if err != nil {
		return "", err
	}
	h := fnv.New64a()
	for _, p := range ps {
		fmt.Fprintf(h, "%s/%s/%d/%d\n", p.Name, p.Lang, p.Millis, p.UploadedAt.UnixNano())
	}
	return fmt.Sprintf("%d-%x", len(ps), h.Sum64()), nil
}

// DIDMenus maps hotline numbers to the ID of the menu they start at.
func (db *DB) DIDMenus(ctx context.Context) (map[string]int64, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT number, menu_id FROM dids WHERE menu_id IS NOT NULL")
	if err != nil {
		return nil, fmt.Errorf("numbers' menus: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var n string
		var id int64
		if err := rows.Scan(&n, &id); err != nil {
			return nil, err
		}
		out[n] = id
	}
	return out, rows.Err()
}
