#include "auth/scram.h"

#include <gtest/gtest.h>

#include "auth/scram_exchange.h"

namespace custlake::auth {
namespace {

// RFC 7677 section 3: user "user", password "pencil".
constexpr std::string_view kSaltB64 = "W22ZaJ0SNY7soEsUEjb6gQ==";
constexpr std::string_view kClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr std::string_view kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramVerifier Rfc7677Verifier() { return ScramVerifierFor("pencil", *Base64Decode(kSaltB64), 4096); }

TEST(Scram, Rfc7677ExchangeGivesTheRfcsMessages) {
  const ScramVerifier verifier = Rfc7677Verifier();
  ScramServerExchange exchange("user", &verifier, std::string(kServerNonce));
  auto server_first = exchange.ClientFirst(kClientFirst);
  ASSERT_TRUE(server_first.ok()) << server_first.status().ToString();
  EXPECT_EQ(*server_first, kServerFirst);
  auto final = exchange.ClientFinal(kClientFinal);
  ASSERT_TRUE(final.ok()) << final.status().ToString();
  EXPECT_TRUE(final->authenticated);
  EXPECT_EQ(final->server_final, kServerFinal);
}

TEST(Scram, WrongProofIsNotAuthenticated) {
  const ScramVerifier verifier = ScramVerifierFor("not pencil", *Base64Decode(kSaltB64), 4096);
  ScramServerExchange exchange("user", &verifier, std::string(kServerNonce));
  ASSERT_TRUE(exchange.ClientFirst(kClientFirst).ok());
  auto final = exchange.ClientFinal(kClientFinal);
  ASSERT_TRUE(final.ok());
  EXPECT_FALSE(final->authenticated);
  EXPECT_TRUE(final->server_final.empty());
}

TEST(Scram, UnknownUserFailsAtTheProofWithAStableSalt) {
  ScramServerExchange a("ghost", nullptr), b("ghost", nullptr);
  auto first_a = a.ClientFirst(kClientFirst);
  auto first_b = b.ClientFirst(kClientFirst);
  ASSERT_TRUE(first_a.ok() && first_b.ok());
  auto salt = [](const std::string& m) { return m.substr(m.find(",s="), m.find(",i=") - m.find(",s=")); };
  EXPECT_EQ(salt(*first_a), salt(*first_b));
  const std::string nonce = first_a->substr(2, first_a->find(',') - 2);
  auto final = a.ClientFinal("c=biws,r=" + nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  ASSERT_TRUE(final.ok());
  EXPECT_FALSE(final->authenticated);
}

TEST(Scram, MalformedMessagesAreErrors) {
  const ScramVerifier verifier = Rfc7677Verifier();
  for (std::string_view bad : {"", "x", "n,,", "n,,n=user", "n,,n=user,r=", "p=tls-server-end-point,,n=u,r=abc",
                               "n,a=admin,n=user,r=abc", "n,,m=ext,n=user,r=abc", "n,,r=abc"}) {
    ScramServerExchange exchange("user", &verifier);
    EXPECT_FALSE(exchange.ClientFirst(bad).ok()) << bad;
  }
  const std::string nonce_attr = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  for (const std::string& bad : std::vector<std::string>{
           std::string("c=biws,") + nonce_attr, "c=eSws," + nonce_attr + ",p=AAAA",
        "c=biws,r=other,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "c=biws," + nonce_attr + ",p=AAAA",
        "c=biws," + nonce_attr + ",p=!!!!", std::string("garbage")}) {
    ScramServerExchange exchange("user", &verifier, std::string(kServerNonce));
    ASSERT_TRUE(exchange.ClientFirst(kClientFirst).ok());
    EXPECT_FALSE(exchange.ClientFinal(bad).ok()) << bad;
  }
  ScramServerExchange out_of_order("user", &verifier);
  EXPECT_FALSE(out_of_order.ClientFinal(kClientFinal).ok());
}

TEST(Scram, VerifierTextRoundTripsAndRejectsGarbage) {
  const ScramVerifier verifier = Rfc7677Verifier();
  const std::string text = verifier.ToString();
  EXPECT_TRUE(text.starts_with("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$")) << text;
  auto parsed = ScramVerifier::Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->salt, verifier.salt);
  EXPECT_EQ(parsed->iterations, 4096);
  EXPECT_EQ(parsed->stored_key, verifier.stored_key);
  EXPECT_EQ(parsed->server_key, verifier.server_key);
  for (std::string_view bad : {"", "md5abc", "SCRAM-SHA-256$x:AA==$AA==:AA==", "SCRAM-SHA-256$4096:AA==$AA==:AA==",
                               "SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$a$b"}) {
    EXPECT_FALSE(ScramVerifier::Parse(bad).ok()) << bad;
  }
}

TEST(Scram, PasswordMatchesOnlyItsOwnPassword) {
  auto verifier = MakeScramVerifier("correct horse", 4096);
  ASSERT_TRUE(verifier.ok());
  EXPECT_EQ(verifier->salt.size(), 16u);
  EXPECT_TRUE(ScramPasswordMatches(*verifier, "correct horse"));
  EXPECT_FALSE(ScramPasswordMatches(*verifier, "correct horse "));
  EXPECT_FALSE(ScramPasswordMatches(*verifier, ""));
  auto other = MakeScramVerifier("correct horse", 4096);
  EXPECT_NE(other->salt, verifier->salt);
}

TEST(Scram, Base64) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(*Base64Decode("Zg=="), "f");
  EXPECT_EQ(*Base64Decode("Zm8="), "fo");
  EXPECT_EQ(*Base64Decode("Zm9v"), "foo");
  EXPECT_EQ(*Base64Decode(""), "");
  for (std::string_view bad : {"Zg=", "Z===", "Zm9v!", "Zm 9v", "=Zm9"}) EXPECT_FALSE(Base64Decode(bad).ok()) << bad;
}

}  // namespace
}  // namespace custlake::auth
