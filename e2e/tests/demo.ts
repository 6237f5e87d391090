// The demo accounts of the server under test (server/src/demo/accounts.rs). Their passwords are
// random per database: the server prints `demo account: <role> <user name> <password>` at start,
// and `cargo xtask test` passes those lines in KNOCK_DEMO_ACCOUNTS. To run a journey by hand,
// start the server with KNOCK_DEMO=1 and pass its lines:
//   KNOCK_DEMO_ACCOUNTS="$(grep '^demo account: ' server.log)" npx playwright test …

/** User name → password, from text holding the server's `demo account:` lines. */
export function parseDemoAccounts(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^demo account: (\S+) (\S+) (\S+)$/.exec(line.trim());
    if (m) out.set(m[2], m[3]);
  }
  return out;
}

const printed = parseDemoAccounts(process.env.KNOCK_DEMO_ACCOUNTS ?? "");

function passwordOf(username: string): string {
  const password = printed.get(username);
  if (!password) {
    throw new Error(
      `no demo password for ${username}: set KNOCK_DEMO_ACCOUNTS to the server's "demo account:" lines (cargo xtask test does)`,
    );
  }
  return password;
}

/** A demo account whose password is read when first used, so a journey that needs none runs without. */
function account<T extends object>(username: string, name: string, more: T = {} as T) {
  return {
    username,
    name,
    ...more,
    get password(): string {
      return passwordOf(username);
    },
  };
}

export const admin = account("admin", "系统管理员");
export const gridWorker = account("wangfang", "王芳", { grids: ["幸福里第一网格", "幸福里第二网格"] });
export const supervisor = account("zhaomin", "赵敏");
// The other grid worker, of 幸福里第三网格 and the grids after it.
export const gridWorker2 = account("liqiang", "李强");
// Added (issue 16): answers for 幸福里小区 1 and 2 号楼 of the first grid only.
export const buildingLeader = account("sunli", "孙丽");
export const volunteer = account("chenjing", "陈静");
export const volunteer2 = account("liuyang", "刘洋");
// Added (issue 17): the street office above every demo grid.
export const streetOffice = account("zhouming", "周明");
