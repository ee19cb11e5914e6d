package store

import (
	"context"
	"slices"

	"github.com/anxin-care/anxin"
)

// assigneeSees are the states in which the organisation an order is
// dispatched to sees the elder's door and phone: while the job is in its
// hands, not before it is dispatched nor after it is done.
var assigneeSees = []string{anxin.StateDispatched, anxin.StateAccepted, anxin.StateInService}

// OrderElder returns the elder an order is for, as the viewer needs them
// for the job (see docs/decisions.md, "What a provider sees of the
// elder"). Staff who see the order get the elder as their scope shows
// them. The staff of the organisation the order is dispatched to get only
// what a visit needs — name, gender, birth date, committee, address,
// phones, dialect, hearing and the best time to call — and only while the
// order is dispatched, accepted or in service (ECONFLICT otherwise).
// Numbers come unmasked: the caller masks them until a reveal is audited.
func (db *DB) OrderElder(ctx context.Context, sc anxin.Scope, orderID int64) (*anxin.Elder, error) {
	o, err := db.FindOrder(ctx, sc, orderID)
	if err != nil {
		return nil, err
	}
	if isStaff(sc) {
		return db.FindElder(ctx, sc, o.ElderID)
	}
	if o.AssigneeOrgID == 0 || o.AssigneeOrgID != sc.OrgID || !slices.Contains(assigneeSees, o.State) {
		return nil, anxin.ErrorKey(anxin.ECONFLICT, "err.order_elder_hidden",
			"The elder's address and phone are shown to the provider only while the order is in its hands.")
	}
	e, err := db.FindElder(ctx, anxin.SystemScope(), o.ElderID)
	if err != nil {
		return nil, err
	}
	return &anxin.Elder{ID: e.ID, Name: e.Name, Gender: e.Gender, BirthDate: e.BirthDate, RegionCode: e.RegionCode,
		RegionName: e.RegionName, Address: e.Address, Phones: e.Phones, Dialect: e.Dialect, Hearing: e.Hearing,
		BestTime: e.BestTime, Tags: []string{}, Contacts: []anxin.Contact{}, Consents: []anxin.Consent{}, Status: e.Status}, nil
}
