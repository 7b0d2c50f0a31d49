// The source-mapped stack trace of an uncaught error: frames and the source line are those of main.ts.
interface Account {
  id: number;
  balance: number;
}

function withdraw(account: Account, amount: number): Account {
  if (amount > account.balance) {
    throw new RangeError(`insufficient funds: ${account.balance} < ${amount}`);
  }
  return { ...account, balance: account.balance - amount };
}

console.log('before');
const a = withdraw({ id: 1, balance: 10 }, 3);
withdraw(a, 100);
