// Independent C reference for src/engine/random.ts: splitmix32 seeding + xoshiro128** (the
// reference algorithm from https://prng.di.unimi.it/xoshiro128starstar.c), 53-bit uniforms and
// Box-Muller normals with libm. Prints the JSON fixture random.json:
//   gcc -O2 -o /tmp/gen_random tests/golden/engine/gen_random.c -lm && /tmp/gen_random > tests/golden/engine/random.json
#include <math.h>
#include <stdint.h>
#include <stdio.h>

static uint32_t s[4];
static inline uint32_t rotl(const uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
static uint32_t next(void) {
  const uint32_t result = rotl(s[1] * 5, 7) * 9;
  const uint32_t t = s[1] << 9;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
  s[2] ^= t; s[3] = rotl(s[3], 11);
  return result;
}
static uint32_t splitmix32(uint32_t x) {
  uint32_t z = x + 0x9e3779b9u;
  z = (z ^ (z >> 16)) * 0x85ebca6bu;
  z = (z ^ (z >> 13)) * 0xc2b2ae35u;
  return z ^ (z >> 16);
}
static void seed(uint32_t x) {
  s[0] = splitmix32(x);
  s[1] = splitmix32(s[0] ^ 0x632be5abu);
  s[2] = splitmix32(s[1] ^ 0x85157af5u);
  s[3] = splitmix32(s[2] ^ 0x1b873593u);
}
static double uniform(void) {
  uint32_t a = next() >> 5, b = next() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

int main(void) {
  printf("{\n  \"reference_1234\": [");
  s[0] = 1; s[1] = 2; s[2] = 3; s[3] = 4;
  for (int i = 0; i < 10; i++) printf("%s%u", i ? ", " : "", next());
  printf("],\n  \"seed\": 42,\n  \"u32\": [");
  seed(42);
  for (int i = 0; i < 10; i++) printf("%s%u", i ? ", " : "", next());
  printf("],\n  \"uniform\": [");
  seed(42);
  for (int i = 0; i < 10; i++) printf("%s%.17g", i ? ", " : "", uniform());
  printf("],\n  \"normal\": [");
  seed(42);
  for (int i = 0; i < 5; i++) {
    double u1 = 1 - uniform(), u2 = uniform();
    double r = sqrt(-2 * log(u1));
    printf("%s%.17g, %.17g", i ? ", " : "", r * cos(2 * M_PI * u2), r * sin(2 * M_PI * u2));
  }
  printf("]\n}\n");
  return 0;
}
