// Package lock gives a process exclusive ownership of a run while it executes: an advisory
// flock(2) on a lock file that is never removed.
//
// flock locks belong to the open file description, so they are released by the kernel when
// the process dies in any way (SIGKILL included), which is what makes a "running" record
// whose lock is free provably stale. Two descriptors opened by one process also exclude
// each other, so goroutines of one process are protected the same way as processes are.
//
// The lock file is never deleted: deleting it would let one process lock the old inode
// while another creates and locks a new one, and both would believe they own the run.
// It does move, though: archiving a run (-rerun) renames the run's folder, lock file
// included, while holding the lock. The run's lock stays in the run's folder (so the
// layout and every reader of it stay as they are), and TryLock makes the move safe instead:
// after flock succeeds it checks that the locked file is still the file at the path (same
// device and inode) and, if not, starts again on the new file. Whoever holds a lock
// therefore holds the lock of the folder that is at the path now.
//
// Probe takes a shared lock on a read-only descriptor: it never needs write access (which
// NFS requires for exclusive locks) and never excludes other probes. It still excludes a
// TryLock for the microseconds it holds the lock, so callers that must not mistake a probe
// for a runner retry TryLock briefly (see the runtime's claim).
//
// On shared file systems flock is only as good as the file system's support for it (NFSv4
// and Lustre with flock enabled support it; some FUSE file systems do not).
package lock
