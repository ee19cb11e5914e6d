package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/anxin-care/anxin"
)

// Campaign scripts (issue 6): every save is a new version; a campaign uses
// its script's latest version for tasks made from then on; answers keep the
// version they were given under.

func errScriptNotFound(id int64) error {
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.script_not_found", "Script %d not found.", id)
}

// SaveScript stores s as a new script (ID 0, version 1) or as the next
// version of script s.ID, and returns it with its ID and version set.
// Tasks already made keep the version they were made with.
func (db *DB) SaveScript(ctx context.Context, sc anxin.Scope, s *anxin.Script) error {
	if !runsCampaigns(sc) {
		return errCampaignStaff()
	}
	if err := s.Validate(); err != nil {
		return err
	}
	questions, err := json.Marshal(s.Questions)
	if err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		now := db.Now().UTC()
		if s.ID == 0 {
			s.OrgID = sc.OrgID
			if err := tx.QueryRowContext(ctx, "INSERT INTO scripts (name, org_id, created_at) VALUES ($1, $2, $3) RETURNING id",
				s.Name, s.OrgID, now).Scan(&s.ID); err != nil {
				return fmt.Errorf("save script: %w", err)
			}
		} else {
			if err := tx.QueryRowContext(ctx, "SELECT org_id FROM scripts WHERE id = $1", s.ID).Scan(&s.OrgID); errors.Is(err, sql.ErrNoRows) {
				return errScriptNotFound(s.ID)
			} else if err != nil {
				return err
			}
			if s.OrgID != sc.OrgID && !sc.All {
				return anxin.ErrorKey(anxin.EFORBIDDEN, "err.script_other_org", "Only the organisation that wrote a script changes it.")
			}
			if _, err := tx.ExecContext(ctx, "UPDATE scripts SET name = $1 WHERE id = $2", s.Name, s.ID); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM script_versions WHERE script_id = $1", s.ID).Scan(&s.Version); err != nil {
			return err
		}
		s.CreatedAt = now
		_, err := tx.ExecContext(ctx, `INSERT INTO script_versions (script_id, version, questions, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5)`, s.ID, s.Version, string(questions), nullID(sc.AccountID), now)
		return err
	})
}

// Script returns version v of a script (0: the latest).
func (db *DB) Script(ctx context.Context, id int64, v int) (*anxin.Script, error) {
	s := &anxin.Script{ID: id}
	var questions string
	q := `SELECT s.name, s.org_id, v.version, v.questions, v.created_at, COALESCE(a.display_name, '')
		FROM scripts s JOIN script_versions v ON v.script_id = s.id LEFT JOIN accounts a ON a.id = v.created_by
		WHERE s.id = $1 AND v.version = `
	args := []any{id}
	if v == 0 {
		q += "(SELECT MAX(version) FROM script_versions WHERE script_id = $1)"
	} else {
		q += "$2"
		args = append(args, v)
	}
	err := db.r.QueryRowContext(ctx, q, args...).Scan(&s.Name, &s.OrgID, &s.Version, &questions, &s.CreatedAt, &s.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errScriptNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("script %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(questions), &s.Questions); err != nil {
		return nil, fmt.Errorf("script %d v%d: %w", id, s.Version, err)
	}
	s.CreatedAt = s.CreatedAt.UTC()
	return s, nil
}

// SetCampaignScript makes a script the campaign's: tasks made from then on
// use its latest version. Once the campaign has tasks its script stays
// (the tasks name a version of it; answers compare across versions):
// another script is err.campaign_script_fixed (ECONFLICT) — edit the
// script instead, which makes a new version for the tasks made next.
func (db *DB) SetCampaignScript(ctx context.Context, sc anxin.Scope, campaignID, scriptID int64) error {
	if !runsCampaigns(sc) {
		return errCampaignStaff()
	}
	c, err := db.FindCampaign(ctx, sc, campaignID)
	if err != nil {
		return err
	}
	latest, err := db.Script(ctx, scriptID, 0)
	if err != nil {
		return err
	}
	if c.ScriptID == scriptID {
		return nil
	}
	return db.Transact(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE campaigns SET script_id = $1, updated_at = $2 WHERE id = $3
			AND (script_id IS NULL OR NOT EXISTS (SELECT 1 FROM campaign_tasks t WHERE t.campaign_id = $3))`, scriptID, db.Now().UTC(), campaignID)
		if err != nil {
			return fmt.Errorf("campaign script: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.campaign_script_fixed", "The campaign has tasks made with its script: edit that script instead (new tasks get the new version).")
		}
		// Tasks made before the campaign had a script ask its latest version.
		_, err = tx.ExecContext(ctx, "UPDATE campaign_tasks SET script_version = $1 WHERE campaign_id = $2 AND script_version = 0", latest.Version, campaignID)
		return err
	})
}

// RecordAnswers keeps the answers given in an attempt (question key →
// value; a multiple choice joins its option keys with commas) under the
// script version of the attempt's task. Answering a question again in the
// same attempt replaces the answer.
func (db *DB) RecordAnswers(ctx context.Context, attemptID int64, answers map[string]string) error {
	return db.Transact(ctx, func(tx *Tx) error {
		var task int64
		var version int
		err := tx.QueryRowContext(ctx, `SELECT t.id, t.script_version FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id
			WHERE a.id = $1`, attemptID).Scan(&task, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return anxin.ErrorKey(anxin.ENOTFOUND, "err.attempt_not_found", "Attempt %d not found.", attemptID)
		} else if err != nil {
			return err
		}
		for q, v := range answers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_answers (attempt_id, task_id, question, value, script_version)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (attempt_id, question) DO UPDATE SET value = excluded.value`,
				attemptID, task, q, v, version); err != nil {
				return fmt.Errorf("answer %s: %w", q, err)
			}
		}
		return nil
	})
}

// AnswerCount is how often a value was answered to a question under a
// script version.
type AnswerCount struct {
	Version  int    `json:"version"`
	Question string `json:"question"`
	Value    string `json:"value"`
	Count    int    `json:"count"`
}

// AnswerCounts counts a campaign's answers by script version, question and
// value: the distribution a supervisor watches, comparable between
// versions — of the elders of sc's area (taskArea).
func (db *DB) AnswerCounts(ctx context.Context, sc anxin.Scope, campaignID int64) ([]AnswerCount, error) {
	if _, err := db.FindCampaign(ctx, sc, campaignID); err != nil {
		return nil, err
	}
	var w where
	w.add("t.campaign_id = ?", campaignID)
	taskArea(&w, sc)
	rows, err := db.r.QueryContext(ctx, `SELECT a.script_version, a.question, a.value, COUNT(*) FROM campaign_answers a
		JOIN campaign_tasks t ON t.id = a.task_id`+w.sql()+`
		GROUP BY a.script_version, a.question, a.value ORDER BY a.script_version, a.question, a.value`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("answer counts: %w", err)
	}
	defer rows.Close()
	var out []AnswerCount
	for rows.Next() {
		var c AnswerCount
		if err := rows.Scan(&c.Version, &c.Question, &c.Value, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
