import type { DataSource } from 'typeorm';
import { UserEntity } from '../users/user.entity';

export const ADMIN_USAGE = `Usage: npm run admin -- <command>
  grant EMAIL    make the account with this email an admin
  revoke EMAIL   make it a plain user again
  list           the admins' emails`;

/** 0: done (or nothing to do); 1: no account with that email; 2: not a command this CLI knows. */
export type AdminExitCode = 0 | 1 | 2;

export interface AdminCommandResult {
  exitCode: AdminExitCode;
  /** What to print: to stdout when the exit code is 0, to stderr otherwise. */
  message: string;
}

export type AdminCommand = { name: 'grant' | 'revoke'; email: string } | { name: 'list' };

/** The command line after `npm run admin --`; a string is the usage problem to report. */
export function parseAdminArgs(args: string[]): AdminCommand | string {
  const [name, email, ...rest] = args;
  if (name === 'list' && email === undefined) return { name };
  if ((name === 'grant' || name === 'revoke') && email !== undefined && rest.length === 0) {
    // Stored lower-cased by register (the contracts' email schema), so matched the same way.
    return { name, email: email.trim().toLowerCase() };
  }
  return name === undefined ? ADMIN_USAGE : `Unknown command: ${args.join(' ')}\n${ADMIN_USAGE}`;
}

/** Runs one command on a migrated database. Role changes apply at the next request (tokens carry no role that is trusted). */
export async function runAdminCommand(
  dataSource: DataSource,
  command: AdminCommand,
): Promise<AdminCommandResult> {
  const users = dataSource.getRepository(UserEntity);
  if (command.name === 'list') {
    const admins = await users.find({ where: { role: 'admin' }, order: { email: 'ASC' } });
    return {
      exitCode: 0,
      message: admins.length === 0 ? 'No admins yet.' : admins.map((user) => user.email).join('\n'),
    };
  }
  const user = await users.findOneBy({ email: command.email });
  if (user === null) {
    return { exitCode: 1, message: `No account with the email ${command.email}: it must sign up first.` };
  }
  const role = command.name === 'grant' ? 'admin' : 'user';
  if (user.role === role) {
    return {
      exitCode: 0,
      message: `${user.email} ${role === 'admin' ? 'is already an admin' : 'is not an admin'}; nothing changed.`,
    };
  }
  await users.update({ id: user.id }, { role });
  return {
    exitCode: 0,
    message: `${user.email} ${role === 'admin' ? 'is now an admin' : 'is no longer an admin'}.`,
  };
}
