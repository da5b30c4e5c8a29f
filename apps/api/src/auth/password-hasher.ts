import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';

// argon2id (the library's default algorithm) with OWASP's first recommended setting: 19 MiB, 2 passes.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

@Injectable()
export class PasswordHasher {
  /** Verified against when the email is unknown, so both answers take the same time. */
  private dummy: Promise<string> | undefined;

  hash(password: string): Promise<string> {
    return hash(password, OPTIONS);
  }

  async verify(hashed: string | undefined, password: string): Promise<boolean> {
    if (hashed === undefined) {
      this.dummy ??= this.hash('not a password anyone uses');
      await verify(await this.dummy, password).catch(() => false);
      return false;
    }
    return verify(hashed, password).catch(() => false);
  }
}
