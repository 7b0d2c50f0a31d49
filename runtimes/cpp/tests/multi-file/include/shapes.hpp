#pragma once

namespace geometry {
int area(int w, int h);
}
