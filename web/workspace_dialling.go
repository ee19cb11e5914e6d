package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// Progressive dialling in the workspace: an operator presses "start
// dialling" in a progressive campaign's workspace and Anxin calls its
// elders for her whenever she is ready (callflow.RunProgressive on the
// node her phone registered with). When an elder answers, the operator's
// phone rings and her console pops the call with a link to the attempt;
// the workspace open on the campaign follows the link by itself
// (campaigns.js), and she records the answers and the outcome as in
// preview mode — then Anxin calls the next elder once she is ready again.
// "Stop" leaves the campaign; so do signing out of taking calls and
// signing out of the console.

// dialling reports whether Anxin dials c for the operator of sc.
func (s *Server) dialling(ctx context.Context, sc anxin.Scope, c *anxin.Campaign) (bool, error) {
	if c.Mode != anxin.DialProgressive || !isAgent(sc) {
		return false, nil
	}
	id, err := s.db.DiallingCampaign(ctx, sc.AccountID)
	return id == c.ID, err
}

// diallingPage fills what the workspace shows of progressive dialling.
func (s *Server) diallingPage(ctx context.Context, sc anxin.Scope, c *anxin.Campaign, p *workspacePage) error {
	if c.Mode != anxin.DialProgressive || !isAgent(sc) {
		return nil
	}
	p.Progressive = true
	var err error
	if p.Dialling, err = s.dialling(ctx, sc, c); err != nil {
		return err
	}
	st, err := s.db.AgentStatusOf(ctx, sc.AccountID)
	if err != nil {
		return err
	}
	p.AgentState = st.State
	if p.Dialling && p.Attempt != nil {
		// The elder is not shown before she answers (the pop brings her).
		ringing, err := s.stillRinging(ctx, sc, p.Attempt)
		if err != nil {
			return err
		}
		if ringing {
			p.Calling, p.Attempt = p.Attempt.Task.ElderName, nil
		}
	}
	return nil
}

// stillRinging reports whether the call placed for attempt a has not been
// answered yet and is not over.
func (s *Server) stillRinging(ctx context.Context, sc anxin.Scope, a *store.Attempt) (bool, error) {
	history, err := s.db.TaskAttempts(ctx, a.Task.ID)
	if err != nil {
		return false, err
	}
	for _, h := range history {
		if h.ID != a.ID || h.CallID == 0 {
			continue
		}
		call, err := s.db.FindCall(ctx, sc, h.CallID)
		if anxin.ErrorCode(err) == anxin.ENOTFOUND {
			return false, nil
		} else if err != nil {
			return false, err
		}
		return call.AnsweredAt.IsZero() && call.EndedAt.IsZero(), nil
	}
	return false, nil
}

// backToDialling shows a dialling operator her workspace with a flash,
// without leasing her a task: Anxin leases it when it calls the elder.
func (s *Server) backToDialling(w http.ResponseWriter, r *http.Request, c *anxin.Campaign, flash string) error {
	u := fmt.Sprintf("/campaigns/%d/work", c.ID)
	if flash != "" {
		u += "?" + url.Values{"flash": {flash + "_dialling"}}.Encode()
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
	return nil
}

// postWorkStart has Anxin dial the campaign for the operator.
func (s *Server) postWorkStart(w http.ResponseWriter, r *http.Request) error {
	sc, c, err := s.workScopeOf(r)
	if err != nil {
		return err
	}
	if err := s.startDialling(r.Context(), sc, c); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/campaigns/%d/work?flash=dialling_started", c.ID), http.StatusSeeOther)
	return nil
}

// startDialling joins the operator to a progressive campaign (leaving any
// other) and, if she was not taking calls, signs her in to take them
// (ready).
func (s *Server) startDialling(ctx context.Context, sc anxin.Scope, c *anxin.Campaign) error {
	if !isAgent(sc) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.agent_only", "Only hotline operators take calls.")
	}
	if err := s.db.JoinCampaign(ctx, sc.AccountID, c.ID); err != nil {
		return err
	}
	st, err := s.db.AgentStatusOf(ctx, sc.AccountID)
	if err != nil {
		return err
	}
	if st.State == anxin.AgentSignedOut {
		if _, err := s.db.MoveAgent(ctx, sc.AccountID, anxin.AgentEvent{Event: anxin.EvSignIn}); err != nil {
			return err
		}
	}
	return nil
}

// postWorkStop stops Anxin dialling for the operator (a call already
// placed goes on, and a task she holds stays hers to finish).
func (s *Server) postWorkStop(w http.ResponseWriter, r *http.Request) error {
	sc, c, err := s.workScopeOf(r)
	if err != nil {
		return err
	}
	if err := s.db.LeaveCampaign(r.Context(), sc.AccountID); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/campaigns/%d/work?flash=dialling_stopped", c.ID), http.StatusSeeOther)
	return nil
}

// apiDialling answers POST /api/v1/campaigns/{id}/dialling {"active":
// true|false}: Anxin starts or stops dialling a progressive campaign for
// the calling operator, as the workspace's buttons do; it answers whether
// it dials for her now.
func (s *Server) apiDialling(w http.ResponseWriter, r *http.Request) error {
	sc, c, err := s.workScopeOf(r)
	if err != nil {
		return err
	}
	var in struct {
		Active *bool `json:"active"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Active == nil {
		return anxin.ErrorKey(anxin.EINVALID, "err.dialling_active", "Say whether Anxin dials for you: {\"active\": true} or false.")
	}
	if *in.Active {
		err = s.startDialling(r.Context(), sc, c)
	} else {
		err = s.db.LeaveCampaign(r.Context(), sc.AccountID)
	}
	if err != nil {
		return err
	}
	on, err := s.dialling(r.Context(), sc, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"active": on})
	return nil
}

// popWork is the campaign attempt a call was placed for, as the screen
// pop of its operator shows it.
type popWork struct {
	URL      string // the attempt in the workspace
	Campaign int64
	elder    *anxin.Elder
	number   string // the number rung
}

// workOfCall returns the open attempt the call was placed for when the
// operator it pops for holds it (progressive dialling: the call rings her
// once the elder answered), nil for any other call.
func (s *Server) workOfCall(ctx context.Context, sc anxin.Scope, c CallPop) (*popWork, error) {
	if c.CallID == 0 {
		return nil, nil
	}
	a, err := s.db.AttemptOfCall(ctx, c.CallID)
	if err != nil || a == nil || !a.Open || a.Caller != store.OperatorOwner(c.AccountID) {
		return nil, err
	}
	e, err := s.db.FindElder(ctx, sc, a.ElderID)
	if anxin.ErrorCode(err) == anxin.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &popWork{URL: fmt.Sprintf("/campaigns/%d/work?attempt=%d", a.CampaignID, a.ID), Campaign: a.CampaignID,
		elder: e, number: a.Number}, nil
}
