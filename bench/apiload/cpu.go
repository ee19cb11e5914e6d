package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuTimes are cumulative CPU clock ticks (1/100 s on Linux).
type cpuTimes struct {
	at             time.Time
	server, self   int64 // user+system of the server and of this process
	busy, idle     int64 // the whole machine, every core
	db             int64 // user+system of the database's processes
	dbKnown        bool
	serverWait     int64 // ns the server's threads waited for a CPU
	selfWait       int64 // ns this process's threads waited for a CPU
	serverReadable bool
}

// readCPU reads the machine's, this process's and the server's CPU time
// from /proc.
func readCPU(serverPID int, dbComm string) cpuTimes {
	c := cpuTimes{at: time.Now()}
	c.self, _ = procTicks("/proc/self/stat")
	c.selfWait = runqueueWait("/proc/self")
	if serverPID > 0 {
		var err error
		c.server, err = procTicks(fmt.Sprintf("/proc/%d/stat", serverPID))
		c.serverReadable = err == nil
		c.serverWait = runqueueWait(fmt.Sprintf("/proc/%d", serverPID))
	}
	if dbComm != "" {
		c.db, c.dbKnown = commTicks(dbComm), true
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		// cpu user nice system idle iowait irq softirq steal ...
		for i, f := range strings.Fields(line)[1:] {
			n, _ := strconv.ParseInt(f, 10, 64)
			switch i {
			case 0, 1, 2, 5, 6, 7:
				c.busy += n
			case 3, 4:
				c.idle += n
			}
		}
	}
	return c
}

// procTicks returns utime+stime from a /proc/PID/stat file.
func procTicks(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces; fields count
	// from after it: state is field 3, utime 14, stime 15.
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st, nil
}

// commTicks sums utime+stime of every process named comm, such as the
// postgres server and its backends.
func commTicks(comm string) int64 {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var sum int64
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i, j := strings.IndexByte(string(b), '('), strings.LastIndexByte(string(b), ')')
		if i < 0 || j < i || string(b[i+1:j]) != comm {
			continue
		}
		n, _ := procTicks("/proc/" + e.Name() + "/stat")
		sum += n
	}
	return sum
}

// cpuUse is CPU use in percent of one core; on 2 cores server, database,
// generator, other and idle add up to about 200.
type cpuUse struct {
	server, db, gen, other, idle float64
	serverKnown, dbKnown         bool
	// serverWait and genWait are the milliseconds per second that the
	// server's and the generator's threads spent runnable but waiting for
	// a CPU: time a request was ready and no core was free.
	serverWait, genWait float64
}

// runqueueWait sums how long a process's threads have waited, runnable, for
// a CPU (the second field of /proc/PID/task/TID/schedstat, in ns).
func runqueueWait(proc string) int64 {
	tasks, err := os.ReadDir(proc + "/task")
	if err != nil {
		return 0
	}
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(proc + "/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			sum += n
		}
	}
	return sum
}

// usage is the CPU used between c and d.
func (c cpuTimes) usage(d cpuTimes) cpuUse {
	secs := d.at.Sub(c.at).Seconds()
	if secs <= 0 {
		return cpuUse{}
	}
	pc := func(ticks int64) float64 { return float64(ticks) / secs } // 100 ticks/s = 100 %
	u := cpuUse{gen: pc(d.self - c.self), idle: pc(d.idle - c.idle)}
	u.genWait = float64(d.selfWait-c.selfWait) / 1e6 / secs
	u.serverWait = float64(d.serverWait-c.serverWait) / 1e6 / secs
	other := (d.busy - c.busy) - (d.self - c.self)
	if c.serverReadable && d.serverReadable {
		u.server, u.serverKnown = pc(d.server-c.server), true
		other -= d.server - c.server
	}
	if c.dbKnown && d.dbKnown {
		u.db, u.dbKnown = pc(max(d.db-c.db, 0)), true
		other -= d.db - c.db
	}
	u.other = pc(max(other, 0))
	return u
}

// String formats u as server[+database]/generator/other/idle.
func (u cpuUse) String() string {
	srv := "?"
	if u.serverKnown {
		srv = strconv.FormatFloat(u.server, 'f', 0, 64)
	}
	if u.dbKnown {
		srv += fmt.Sprintf("+%.0f", u.db)
	}
	return fmt.Sprintf("%s/%.0f/%.0f/%.0f", srv, u.gen, u.other, u.idle)
}

// waits formats the run-queue waits as server/generator.
func (u cpuUse) waits() string {
	srv := "?"
	if u.serverKnown {
		srv = strconv.FormatFloat(u.serverWait, 'f', 0, 64)
	}
	return fmt.Sprintf("%s/%.0f", srv, u.genWait)
}
