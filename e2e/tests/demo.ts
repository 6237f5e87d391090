// The demo accounts the server seeds (server/src/demo.rs) and prints at start.
export const admin = { username: "admin", password: "knock-admin", name: "系统管理员" };
export const gridWorker = { username: "wangfang", password: "knock-demo", name: "王芳", grids: ["幸福里第一网格", "幸福里第二网格"] };
export const supervisor = { username: "zhaomin", password: "knock-demo", name: "赵敏" };
export const volunteer = { username: "chenjing", password: "knock-demo", name: "陈静" };
export const volunteer2 = { username: "liuyang", password: "knock-demo", name: "刘洋" };
