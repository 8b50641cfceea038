/*
 * Subcommands. Each is cmd_<name>() in src/cmd/<name>.c: it parses its own
 * options (with --help), wires library calls together and returns the exit
 * code. Commands never call each other (audit composes library calls).
 *
 * Exit codes shared by every command:
 *   0  done, nothing found that breaks at the cut-over
 *   1  findings: something fails the policy (a server, a client)
 *   2  usage or input error
 *   3  (scan) some targets unreachable and none failing
 */
#ifndef TR_CMD_H
#define TR_CMD_H

#define EXIT_OK 0
#define EXIT_FINDINGS 1
#define EXIT_USAGE 2
#define EXIT_UNREACHABLE 3

int cmd_scan(int argc, char **argv);
int cmd_logins(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_pcap(int argc, char **argv);
int cmd_endpoints(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_audit(int argc, char **argv);

#endif
