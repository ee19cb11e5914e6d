package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/workcal"
)

// The holiday calendar the SLA clocks count working days on
// (/admin/calendar): one year at a time, as lines date,kind,name, the
// format of the shipped list; platform administrators edit it.

func (s *Server) routesCalendar() {
	s.page("GET /admin/calendar", s.getCalendar)
	s.page("POST /admin/calendar", s.postCalendar)
}

type calendarPage struct {
	*Page
	Year        int
	Years       []int
	NextYear    int // the first year after the listed ones, to add
	Text        string
	Covered     bool
	Provisional bool
	CanEdit     bool
	Error       string
}

func (s *Server) calendarPage(r *http.Request, year int) (*calendarPage, error) {
	days, err := s.db.CalendarDays(r.Context())
	if err != nil {
		return nil, err
	}
	sc := scopeOf(r)
	p := &calendarPage{Page: s.newPage(r, "calendar.title"), Year: year, CanEdit: sc.All && sc.Has(anxin.RoleAdmin)}
	seen := map[int]bool{}
	var b strings.Builder
	for _, d := range days {
		if !seen[d.Date.Year] {
			seen[d.Date.Year] = true
			p.Years = append(p.Years, d.Date.Year)
		}
		if d.Date.Year == year {
			fmt.Fprintf(&b, "%s,%s,%s\n", d.Date, d.Kind, d.Name)
			p.Provisional = p.Provisional || strings.Contains(d.Name, "暂定")
		}
	}
	p.Text, p.Covered = b.String(), seen[year]
	if !seen[year] {
		p.Years = append(p.Years, year)
	}
	slices.Sort(p.Years)
	p.NextYear = p.Years[len(p.Years)-1] + 1
	return p, nil
}

// calendarYear reads the year asked for, by default the current year in
// China.
func (s *Server) calendarYear(v string) int {
	y, err := strconv.Atoi(v)
	if err != nil || y < 2000 || y > 2100 {
		return s.cfg.Now().In(chinaTime).Year()
	}
	return y
}

func (s *Server) getCalendar(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	p, err := s.calendarPage(r, s.calendarYear(r.URL.Query().Get("year")))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "calendar", p)
	return nil
}

func (s *Server) postCalendar(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	year := s.calendarYear(r.PostFormValue("year"))
	text := r.PostFormValue("days")
	days, err := workcal.Parse(strings.NewReader(text))
	if err != nil {
		err = anxin.ErrorKey(anxin.EINVALID, "err.calendar_invalid", "The list is not valid: %v", err)
	} else {
		err = s.db.SetCalendarYear(r.Context(), sc, year, days)
	}
	if err != nil {
		if !showInForm(err) {
			return err
		}
		p, perr := s.calendarPage(r, year)
		if perr != nil {
			return perr
		}
		p.Text, p.Error = text, s.msgs.userMessage(p.Lang, err)
		s.render(w, r, ErrorStatus(err), "calendar", p)
		return nil
	}
	if err := s.audit(r, &anxin.AuditEntry{Action: anxin.AuditCalendarUpdate, TargetType: "calendar", TargetID: strconv.Itoa(year),
		Detail: fmt.Sprintf("%d days listed", len(days))}); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/calendar?year=%d&flash=calendar_saved", year), http.StatusSeeOther)
	return nil
}
