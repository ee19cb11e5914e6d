package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
)

// What the console does with campaigns beyond the core (issue 6): a
// supervisor edits a campaign, and a caller reports an attempt — the
// answers recorded under the task's script version, turned into the work
// orders and elder updates the script's actions say, and the attempt
// finished.

// UpdateCampaign saves a campaign sc runs. A draft changes in everything;
// once started, a campaign keeps its type, area and target (its tasks were
// made from them) and changes mode only between manual and preview; an
// ended or archived campaign changes no more (ECONFLICT). The state and
// the script are changed by SetCampaignState and SetCampaignScript.
func (db *DB) UpdateCampaign(ctx context.Context, sc anxin.Scope, c *anxin.Campaign) error {
	if !runsCampaigns(sc) {
		return errCampaignStaff()
	}
	cur, err := db.FindCampaign(ctx, sc, c.ID)
	if err != nil {
		return err
	}
	if !sc.CoversRegion(cur.RegionCode) {
		return errCampaignStaff()
	}
	if c.RegionCode == "" {
		c.RegionCode = cur.RegionCode
	}
	if !sc.CoversRegion(c.RegionCode) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.campaign_area", "A campaign covers your own area or part of it.")
	}
	switch cur.State {
	case anxin.CampaignEnded, anxin.CampaignArchived:
		return anxin.ErrorKey(anxin.ECONFLICT, "err.campaign_over", "The campaign is over.")
	case anxin.CampaignDraft:
	default:
		operator := func(m string) bool { return m == anxin.DialManual || m == anxin.DialPreview }
		modeOK := c.Mode == cur.Mode || operator(c.Mode) && operator(cur.Mode)
		if c.Type != cur.Type || c.RegionCode != cur.RegionCode || !sameTarget(c.Target, cur.Target) || !modeOK {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.campaign_started",
				"A started campaign keeps its type, area and target, and changes mode only between manual and preview.")
		}
	}
	if err := c.Validate(); err != nil {
		return err
	}
	target, err := marshalTarget(c.Target)
	if err != nil {
		return err
	}
	now := db.Now().UTC()
	res, err := db.w.ExecContext(ctx, `UPDATE campaigns SET name = $1, type = $2, mode = $3, region_code = $4, starts_on = $5, ends_on = $6,
		windows = $7, max_attempts = $8, retry_minutes = $9, target = $10, updated_at = $11 WHERE id = $12 AND state = $13`,
		c.Name, c.Type, c.Mode, c.RegionCode, c.StartsOn, c.EndsOn, strings.Join(c.Windows, ","), c.MaxAttempts, c.RetryMinutes,
		target, now, c.ID, cur.State)
	if err != nil {
		return fmt.Errorf("update campaign %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.campaign_changed", "The campaign changed meanwhile; reload it and try again.")
	}
	c.State, c.OrgID, c.OrgName, c.ScriptID, c.CreatedAt, c.UpdatedAt = cur.State, cur.OrgID, cur.OrgName, cur.ScriptID, cur.CreatedAt, now
	return nil
}

func sameTarget(a, b anxin.Target) bool {
	x, _ := marshalTarget(a)
	y, _ := marshalTarget(b)
	return x == y
}

func marshalTarget(t anxin.Target) (string, error) {
	b, err := json.Marshal(t)
	return string(b), err
}

// AttemptReport is what a caller reports at the end of an attempt.
type AttemptReport struct {
	// Answers maps a question's key to the answer: an option's key (a
	// multiple choice joins them with commas), a number, or a text.
	// Blank answers are left out.
	Answers     map[string]string
	Disposition string
	// CallbackAt is when the elder asked to be called (callback).
	CallbackAt time.Time
	// Lines are the supply packages the caller picked for the supply
	// order an answer asks for; without them, one of each package the
	// action's note names.
	Lines []anxin.OrderLine
}

// AttemptResult is what came of a reported attempt.
type AttemptResult struct {
	Task   *anxin.Task    `json:"task"`
	Orders []*anxin.Order `json:"orders"`
	// ElderStatus is the elder's new status when an answer changed it.
	ElderStatus string `json:"elder_status,omitempty"`
}

// triggered is an action an answer set off.
type triggered struct {
	q   anxin.Question
	o   anxin.Option
	act anxin.Action
}

// ReportAttempt ends an attempt owner holds with what the caller reports:
// the answers are checked against the task's script version and recorded,
// the actions of the chosen options carried out for the elder with sc's
// rights — one supply order for all supply actions, a work order of the
// action's category, an escalation of its urgency, the elder's status
// (orders through the outbound channel, linked to the task, each answer in
// the order's description; a repeated report finds the orders it made) —
// then the attempt is finished (FinishAttempt). An answer that asks for a
// callback turns a completed call into a callback (a day later when no
// time is given). A lease that ran out is err.task_lease_lost (ECONFLICT)
// and nothing is written.
func (db *DB) ReportAttempt(ctx context.Context, sc anxin.Scope, attemptID int64, owner string, rep AttemptReport) (*AttemptResult, error) {
	a, err := db.OpenAttempt(ctx, 0, attemptID, owner)
	if err != nil {
		return nil, err
	}
	c, err := db.FindCampaign(ctx, sc, a.Task.CampaignID)
	if err != nil {
		return nil, err
	}
	if rep.Disposition != anxin.DispInterrupted && !slices.Contains(anxin.Dispositions(), rep.Disposition) {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.disposition", "%q is no call outcome.", rep.Disposition)
	}
	script, err := db.TaskScript(ctx, c, a.Task.ID)
	if err != nil {
		return nil, err
	}
	answers, acts, err := checkAnswers(script, rep.Answers)
	if err != nil {
		return nil, err
	}
	now := db.Now().UTC()
	var supply []triggered
	for _, t := range acts {
		switch t.act.Kind {
		case anxin.ActSupplyOrder:
			supply = append(supply, t)
		case anxin.ActCallback:
			if rep.Disposition == anxin.DispCompleted {
				rep.Disposition = anxin.DispCallback
				if rep.CallbackAt.IsZero() {
					rep.CallbackAt = now.Add(24 * time.Hour)
				}
			}
		}
	}
	if rep.Disposition == anxin.DispCallback && rep.CallbackAt.IsZero() {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.callback_time", "A callback needs the time the elder asked to be called.")
	}
	lines := slices.Clone(rep.Lines)
	if len(supply) > 0 && len(lines) == 0 {
		if lines, err = db.namedPackages(ctx, a.Task.ElderID, supply); err != nil {
			return nil, err
		}
	}
	if len(answers) > 0 {
		if err := db.RecordAnswers(ctx, attemptID, answers); err != nil {
			return nil, err
		}
	}
	res := &AttemptResult{Orders: []*anxin.Order{}}
	// The keys are the task's, not the attempt's: an elder who answered
	// part of the script, hung up and is asked again in the next attempt
	// gets one order for one answer, not two.
	key := func(what string) string { return fmt.Sprintf("campaign-task:%d:%s", a.Task.ID, what) }
	var callID sql.NullInt64
	if err := db.r.QueryRowContext(ctx, "SELECT call_id FROM campaign_attempts WHERE id = $1", attemptID).Scan(&callID); err != nil {
		return nil, fmt.Errorf("attempt %d call: %w", attemptID, err)
	}
	if len(supply) > 0 {
		o := &anxin.Order{Type: anxin.TypeSupply, Lines: lines, Description: answerNote(c, supply), IdempotencyKey: key("supply"), CallID: callID.Int64}
		if err := db.createCampaignOrder(ctx, sc, a.Task, o); err != nil {
			return nil, err
		}
		res.Orders = append(res.Orders, o)
	}
	for i, t := range acts {
		o := &anxin.Order{Description: answerNote(c, []triggered{t}), IdempotencyKey: key(t.q.Key + ":" + t.o.Key + ":" + strconv.Itoa(i)), CallID: callID.Int64}
		switch t.act.Kind {
		case anxin.ActWorkOrder:
			o.Type, o.Title = anxin.TypeService, t.act.Note
			if t.act.Category != "" {
				cat, err := db.categoryByCode(ctx, t.act.Category)
				if err != nil {
					return nil, err
				}
				o.CategoryID = cat.ID
				if o.Title == "" {
					o.Title = cat.Name
				}
			}
		case anxin.ActEscalation:
			o.Type, o.Title, o.Urgency = anxin.TypeEscalation, t.act.Note, t.act.Urgency
			if o.Urgency == "" {
				o.Urgency = anxin.UrgencyUrgent
			}
		case anxin.ActUpdateElder:
			if err := db.setElderStatus(ctx, sc, a.Task.ElderID, t.act.Status); err != nil {
				return nil, err
			}
			res.ElderStatus = t.act.Status
			continue
		default:
			continue
		}
		if o.Title == "" {
			o.Title = clip(anxin.Wording(t.q.Text, anxin.LangMandarin)+" "+anxin.Wording(t.o.Text, anxin.LangMandarin), 100)
		}
		if err := db.createCampaignOrder(ctx, sc, a.Task, o); err != nil {
			return nil, err
		}
		res.Orders = append(res.Orders, o)
	}
	if res.Task, err = db.finishReport(ctx, sc, c, script, attemptID, owner, answers, rep); err != nil {
		return nil, err
	}
	return res, nil
}

// TaskScript returns the script version a task of campaign c was made
// with (the questions to ask), nil when the campaign has no script.
func (db *DB) TaskScript(ctx context.Context, c *anxin.Campaign, taskID int64) (*anxin.Script, error) {
	var version int
	if err := db.r.QueryRowContext(ctx, "SELECT script_version FROM campaign_tasks WHERE id = $1", taskID).Scan(&version); err != nil {
		return nil, fmt.Errorf("task %d script: %w", taskID, err)
	}
	if c.ScriptID == 0 {
		return nil, nil
	}
	return db.Script(ctx, c.ScriptID, version)
}

// maxTextAnswer bounds a free-text answer.
const maxTextAnswer = 500

// checkAnswers checks answers against a script and returns them in
// canonical form (options in the script's order) with the actions the
// chosen options set off, in the script's order.
func checkAnswers(s *anxin.Script, answers map[string]string) (map[string]string, []triggered, error) {
	out := map[string]string{}
	var acts []triggered
	if s == nil {
		for k, v := range answers {
			if strings.TrimSpace(v) != "" {
				return nil, nil, anxin.ErrorKey(anxin.EINVALID, "err.answer_question", "Question %q is not in the script.", k)
			}
		}
		return out, nil, nil
	}
	for k := range answers {
		if _, ok := s.Question(k); !ok && strings.TrimSpace(answers[k]) != "" {
			return nil, nil, anxin.ErrorKey(anxin.EINVALID, "err.answer_question", "Question %q is not in the script.", k)
		}
	}
	for _, q := range s.Questions {
		v := strings.TrimSpace(answers[q.Key])
		if v == "" {
			continue
		}
		bad := anxin.ErrorKey(anxin.EINVALID, "err.answer_value", "%q is no answer to question %q.", clip(v, 40), q.Key)
		switch q.Type {
		case anxin.QuestionNumber:
			if _, err := strconv.ParseFloat(v, 64); err != nil || len(v) > 20 {
				return nil, nil, bad
			}
		case anxin.QuestionText:
			if utf8.RuneCountInString(v) > maxTextAnswer {
				return nil, nil, bad
			}
		default:
			chosen := strings.Split(v, ",")
			if q.Type != anxin.QuestionMulti && len(chosen) > 1 {
				return nil, nil, bad
			}
			var keys []string
			for _, o := range q.Options {
				if slices.Contains(chosen, o.Key) {
					keys = append(keys, o.Key)
					for _, act := range o.Actions {
						acts = append(acts, triggered{q, o, act})
					}
				}
			}
			for _, k := range chosen {
				if _, ok := optionOf(q, strings.TrimSpace(k)); !ok {
					return nil, nil, bad
				}
			}
			v = strings.Join(keys, ",")
		}
		out[q.Key] = v
	}
	return out, acts, nil
}

func optionOf(q anxin.Question, key string) (anxin.Option, bool) {
	for _, o := range q.Options {
		if o.Key == key {
			return o, true
		}
	}
	return anxin.Option{}, false
}

// answerNote says, for an order's description, which answers in which
// campaign asked for it.
func answerNote(c *anxin.Campaign, ts []triggered) string {
	var b strings.Builder
	fmt.Fprintf(&b, "外呼活动「%s」", c.Name)
	for _, t := range ts {
		fmt.Fprintf(&b, "\n问：%s\n答：%s", anxin.Wording(t.q.Text, anxin.LangMandarin), anxin.Wording(t.o.Text, anxin.LangMandarin))
		if t.act.Note != "" {
			fmt.Fprintf(&b, "（%s）", t.act.Note)
		}
	}
	return clip(b.String(), 4000)
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// namedPackages returns one of each supply package the supply actions'
// notes name ("蔬菜套餐、米油套餐") among those offered where the elder
// lives; none named or offered is EINVALID.
func (db *DB) namedPackages(ctx context.Context, elderID int64, ts []triggered) ([]anxin.OrderLine, error) {
	var region string
	if err := db.r.QueryRowContext(ctx, "SELECT region_code FROM elders WHERE id = $1", elderID).Scan(&region); err != nil {
		return nil, fmt.Errorf("elder %d: %w", elderID, err)
	}
	items, _, err := db.FindItems(ctx, anxin.SystemScope(), anxin.ItemFilter{Family: anxin.FamilySupply, Within: region, Offered: true, Limit: 500})
	if err != nil {
		return nil, err
	}
	var lines []anxin.OrderLine
	for _, t := range ts {
		for _, name := range strings.FieldsFunc(t.act.Note, func(r rune) bool { return strings.ContainsRune(anxin.TermSeparators, r) }) {
			name = strings.TrimSpace(name)
			for _, it := range items {
				if it.Name == name && anxin.RegionWithin(region, it.AreaCode) {
					if !slices.ContainsFunc(lines, func(l anxin.OrderLine) bool { return l.ItemID == it.ID }) {
						lines = append(lines, anxin.OrderLine{ItemID: it.ID, Quantity: 1})
					}
					break
				}
			}
		}
	}
	if len(lines) == 0 {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.answer_packages", "The answers ask for a supply order: pick the packages the elder wants.")
	}
	return lines, nil
}

// createCampaignOrder takes an order an answer asked for, for the task's
// elder, through the outbound channel.
func (db *DB) createCampaignOrder(ctx context.Context, sc anxin.Scope, t *anxin.Task, o *anxin.Order) error {
	o.ElderID, o.Channel, o.CampaignTaskID = t.ElderID, anxin.ChannelOutbound, t.ID
	if err := db.CreateOrder(ctx, sc, o); err != nil {
		return fmt.Errorf("order from %s: %w", t, err)
	}
	return nil
}

// categoryByCode returns the active service category of a code.
func (db *DB) categoryByCode(ctx context.Context, code string) (*anxin.Category, error) {
	cats, err := db.FindCategories(ctx, "", false)
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		if c.Code == code {
			return c, nil
		}
	}
	return nil, anxin.ErrorKey(anxin.EINVALID, "err.answer_category", "The script asks for a work order of category %q, which is not in the catalogue.", code)
}

// setElderStatus changes the elder's status as an answer says (recorded
// in the elder's history).
func (db *DB) setElderStatus(ctx context.Context, sc anxin.Scope, elderID int64, status string) error {
	e, err := db.FindElder(ctx, sc, elderID)
	if err != nil {
		return err
	}
	if status == "" || e.Status == status {
		return nil
	}
	e.Status = status
	return db.UpdateElder(ctx, sc, e)
}
