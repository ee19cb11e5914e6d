package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/phone"
	"github.com/xuri/excelize/v2"
)

// A supplier's pick list for a delivery day (/orders/picklist), on the page
// and as a workbook for the courier: the supply orders to deliver, grouped
// street → committee → compound, with the packages to load.

func (s *Server) routesPickList() {
	s.page("GET /orders/picklist", s.getPickList)
	s.page("GET /orders/picklist.xlsx", s.getPickListXLSX)
}

// pickGroup is one compound of the list, under its committee and street.
type pickGroup struct {
	Street, Committee, Compound string
	// NewStreet and NewCommittee mark the first group of each, for
	// headings.
	NewStreet, NewCommittee bool
	Rows                    []anxin.PickRow
}

// pickTotal is how many of one package the day needs.
type pickTotal struct {
	Name     string
	Quantity int
}

type pickListPage struct {
	*Page
	Suppliers  []*anxin.Org
	SupplierID int64
	Day        string
	Groups     []pickGroup
	Totals     []pickTotal
	Orders     int
	Query      string // for the workbook's link
}

// pickListOf reads the supplier and day of the request: a supplier's
// staff get their own organisation; others choose one they may see. The
// day defaults to today in China.
func (s *Server) pickListOf(r *http.Request) (anxin.Scope, int64, time.Time, error) {
	sc := scopeOf(r)
	q := r.URL.Query()
	supplier, _ := strconv.ParseInt(q.Get("supplier"), 10, 64)
	if sc.AssignedOnly {
		supplier = sc.OrgID
	}
	day := s.cfg.Now().In(chinaTime)
	if d := q.Get("day"); d != "" {
		t, err := time.ParseInLocation("2006-01-02", d, chinaTime)
		if err != nil {
			return sc, 0, day, anxin.ErrorKey(anxin.EINVALID, "err.picklist_day", "Give the delivery day as 2026-11-23.")
		}
		day = t
	}
	return sc, supplier, day, nil
}

func (s *Server) getPickList(w http.ResponseWriter, r *http.Request) error {
	sc, supplier, day, err := s.pickListOf(r)
	if err != nil {
		return err
	}
	p := &pickListPage{Page: s.newPage(r, "picklist.title"), SupplierID: supplier, Day: day.Format("2006-01-02")}
	if !sc.AssignedOnly {
		if p.Suppliers, _, err = s.db.FindOrgs(r.Context(), sc, anxin.OrgFilter{Kind: anxin.OrgSupplier, Limit: 200}); err != nil {
			return err
		}
	}
	if supplier != 0 {
		rows, err := s.db.PickList(r.Context(), sc, supplier, day)
		if err != nil {
			return err
		}
		p.Groups, p.Totals, p.Orders = groupPicks(rows), pickTotals(rows), len(rows)
		for i := range p.Groups {
			for j := range p.Groups[i].Rows {
				p.Groups[i].Rows[j].Phone = phone.Mask(p.Groups[i].Rows[j].Phone)
			}
		}
	}
	p.Query = url.Values{"supplier": {fmt.Sprint(supplier)}, "day": {p.Day}}.Encode()
	s.render(w, r, http.StatusOK, "picklist", p)
	return nil
}

func groupPicks(rows []anxin.PickRow) []pickGroup {
	var out []pickGroup
	for _, r := range rows {
		n := len(out)
		if n > 0 && out[n-1].Committee == r.CommitteeName && out[n-1].Compound == r.Compound && out[n-1].Street == r.StreetName {
			out[n-1].Rows = append(out[n-1].Rows, r)
			continue
		}
		g := pickGroup{Street: r.StreetName, Committee: r.CommitteeName, Compound: r.Compound, Rows: []anxin.PickRow{r}}
		g.NewStreet = n == 0 || out[n-1].Street != g.Street
		g.NewCommittee = g.NewStreet || out[n-1].Committee != g.Committee
		out = append(out, g)
	}
	return out
}

func pickTotals(rows []anxin.PickRow) []pickTotal {
	var out []pickTotal
	at := map[string]int{}
	for _, r := range rows {
		for _, l := range r.Lines {
			i, ok := at[l.ItemName]
			if !ok {
				i = len(out)
				at[l.ItemName] = i
				out = append(out, pickTotal{Name: l.ItemName})
			}
			out[i].Quantity += l.Quantity
		}
	}
	return out
}

// getPickListXLSX sends the pick list as a workbook for the courier, with
// the elders' full numbers (the courier calls before knocking); the export
// is audited before the file is sent.
func (s *Server) getPickListXLSX(w http.ResponseWriter, r *http.Request) error {
	sc, supplier, day, err := s.pickListOf(r)
	if err != nil {
		return err
	}
	if supplier == 0 {
		return anxin.ErrorKey(anxin.EINVALID, "err.picklist_supplier", "Choose a supplier.")
	}
	rows, err := s.db.PickList(r.Context(), sc, supplier, day)
	if err != nil {
		return err
	}
	p := s.newPage(r, "picklist.title")
	t := table{Sheet: p.T("picklist.sheet"), Widths: []float64{16, 18, 18, 18, 10, 14, 28, 36, 10},
		Header: []any{p.T("picklist.col.street"), p.T("picklist.col.committee"), p.T("picklist.col.compound"), p.T("orders.number"),
			p.T("orders.elder"), p.T("picklist.col.phone"), p.T("picklist.col.address"), p.T("picklist.col.packages"), p.T("orders.total")}}
	b, err := t.write(func(_ *excelize.File, add func([]any) error) error {
		for _, row := range rows {
			var lines []string
			for _, l := range row.Lines {
				lines = append(lines, fmt.Sprintf("%s × %d", l.ItemName, l.Quantity))
			}
			if err := add([]any{row.StreetName, row.CommitteeName, row.Compound, row.Number, row.ElderName, row.Phone, row.Address,
				strings.Join(lines, "；"), anxin.FormatYuan(row.TotalFen)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.audit(r, &anxin.AuditEntry{Action: anxin.AuditExport, TargetType: "picklist", TargetID: fmt.Sprint(supplier),
		Detail: fmt.Sprintf("pick list of %s: %d orders, with phone numbers", day.Format("2006-01-02"), len(rows))}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="picklist-%d-%s.xlsx"`, supplier, day.Format("20060102")))
	w.Write(b)
	return nil
}
