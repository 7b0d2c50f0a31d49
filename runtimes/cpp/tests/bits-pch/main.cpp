#include <bits/stdc++.h>
using namespace std;

int main() {
    vector<int> v{5, 3, 8, 1};
    sort(v.begin(), v.end());
    map<string, int> m{{"a", 1}, {"b", 2}};
    cout << v.front() << ' ' << v.back() << ' ' << m.size() << '\n';
    return 0;
}
