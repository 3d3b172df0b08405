package outfile

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// holder returns who holds the flock lock on f, from /proc/locks: "process
// PID (command line)", or "" when it cannot be told.
func holder(f *os.File) string {
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		return ""
	}
	// A line reads "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF",
	// the device's major and minor numbers in hexadecimal.
	dev := fmt.Sprintf("%02x:%02x:%d", unix.Major(uint64(st.Dev)), unix.Minor(uint64(st.Dev)), st.Ino)
	for line := range strings.Lines(string(data)) {
		fields := strings.Fields(line)
		if len(fields) < 6 || fields[1] != "FLOCK" || fields[5] != dev {
			continue
		}
		pid, err := strconv.Atoi(fields[4])
		if err != nil || pid <= 0 {
			continue
		}
		return describeProcess(pid)
	}
	return ""
}

// describeProcess returns "process PID (command line)", the command line
// from /proc when it can be read.
func describeProcess(pid int) string {
	s := "process " + strconv.Itoa(pid)
	if pid == os.Getpid() {
		s += " (this one)"
	} else if cmd, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); err == nil && len(cmd) > 0 {
		line := strings.ReplaceAll(strings.TrimRight(string(cmd), "\x00"), "\x00", " ")
		if len(line) > 200 {
			line = line[:200] + "..."
		}
		s += " (" + line + ")"
	}
	return s
}
