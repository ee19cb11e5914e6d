package callflow

import (
	"context"
	"errors"
	"time"

	"github.com/anxin-care/anxin"
)

// keepPlaceFor is how long a caller who asked to be called back keeps
// their place in line on this node; after it (or a restart of the node)
// they are still on the list to call back, for an operator to click.
const keepPlaceFor = 4 * time.Hour

// keepPlace keeps the place in line of a caller who asked to be called
// back: when the line reaches them, the operator it reaches is called
// back for them, agent first (her console pops the caller, her phone rings,
// then the caller's, as with a callback clicked on the list). It returns
// when the callback is under way, someone called back otherwise, or
// keepPlaceFor has passed.
func (f *Flows) keepPlace(callID int64, number string, elderID int64, did *anxin.DID, q anxin.Queue, lang string, since time.Time) {
	ctx := context.Background()
	db, log := f.cfg.DB, f.cfg.Log.With("call", callID)
	region := did.RegionCode
	w := f.acd.join(region, q, lang, since)
	defer f.acd.leave(w)
	give := time.NewTimer(keepPlaceFor)
	defer give.Stop()
	check := time.NewTicker(time.Minute)
	defer check.Stop()
	for {
		select {
		case s := <-w.offers:
			if done, err := db.CalledBack(ctx, callID); err != nil || done {
				f.acd.offered(w, s.AccountID)
				return
			}
			if f.cfg.Pop != nil {
				f.cfg.Pop(ctx, s.AccountID, callID, number, did.Number)
			}
			_, err := f.CallOut(ctx, anxin.Scope{AccountID: s.AccountID, Region: region}, number, elderID, callID)
			f.acd.offered(w, s.AccountID)
			var e *anxin.Error
			switch {
			case err == nil:
				return
			case errors.As(err, &e) && e.Key == "err.called_back":
				return
			case errors.As(err, &e) && e.Key == "err.callback_not_national":
				log.Info("a caller asked to be called back from a number Anxin does not ring back", "number", number)
				return
			}
			log.Info("callback in the caller's place: not this operator", "account", s.AccountID, "err", err)
			f.acd.back(w)
		case <-check.C:
			if done, err := db.CalledBack(ctx, callID); err == nil && done {
				return
			}
		case <-give.C:
			return
		}
	}
}
