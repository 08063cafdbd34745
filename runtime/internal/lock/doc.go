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
//
// On shared file systems flock is only as good as the file system's support for it (NFSv4
// and Lustre with flock enabled support it; some FUSE file systems do not).
package lock
