#include "generate/catalog.h"

#include <cmath>

namespace custlake::generate {

namespace {
using sv = std::string_view;

constexpr sv kSegmentNames[] = {"consumer", "smb", "enterprise"};
constexpr sv kContractNames[] = {"monthly", "annual", "two_year"};
constexpr double kSegmentMix[] = {0.72, 0.23, 0.05};
constexpr double kContractMix[3][3] = {{0.60, 0.30, 0.10}, {0.40, 0.40, 0.20}, {0.10, 0.50, 0.40}};

constexpr Plan kConsumerPlans[] = {{"basic", 9.99, 0.50}, {"standard", 17.99, 0.35}, {"premium", 29.99, 0.15}};
constexpr Plan kSmbPlans[] = {{"team", 49.00, 0.50}, {"business", 99.00, 0.35}, {"business_plus", 179.00, 0.15}};
constexpr Plan kEnterprisePlans[] = {{"enterprise", 499.00, 0.70}, {"enterprise_plus", 999.00, 0.30}};
constexpr double kReferenceFee[] = {15.0, 80.0, 650.0};
constexpr double kDailyActivity[] = {0.14, 0.28, 0.42};
constexpr double kTicketRate[] = {0.05, 0.10, 0.25};

constexpr sv kPaymentNames[] = {"card", "paypal", "sepa_debit", "invoice"};
constexpr double kPaymentMix[3][4] = {{0.55, 0.30, 0.15, 0.0}, {0.40, 0.0, 0.40, 0.20}, {0.0, 0.0, 0.20, 0.80}};

constexpr City kCities[] = {
    {"Berlin", "Berlin", "DE", 9},          {"Hamburg", "Hamburg", "DE", 5},
    {"Munich", "Bavaria", "DE", 6},         {"Nuremberg", "Bavaria", "DE", 2},
    {"Cologne", "North Rhine-Westphalia", "DE", 4}, {"Düsseldorf", "North Rhine-Westphalia", "DE", 3},
    {"Frankfurt", "Hesse", "DE", 3},        {"Stuttgart", "Baden-Württemberg", "DE", 3},
    {"Leipzig", "Saxony", "DE", 2},         {"Dresden", "Saxony", "DE", 2},
    {"Vienna", "Vienna", "AT", 4},          {"Graz", "Styria", "AT", 1},
    {"Paris", "Île-de-France", "FR", 8},    {"Lyon", "Auvergne-Rhône-Alpes", "FR", 3},
    {"Marseille", "Provence-Alpes-Côte d'Azur", "FR", 3}, {"Toulouse", "Occitanie", "FR", 2},
    {"Amsterdam", "North Holland", "NL", 4}, {"Rotterdam", "South Holland", "NL", 3},
    {"Utrecht", "Utrecht", "NL", 2},        {"Brussels", "Brussels-Capital", "BE", 3},
    {"Antwerp", "Flanders", "BE", 2},       {"Madrid", "Community of Madrid", "ES", 6},
    {"Barcelona", "Catalonia", "ES", 5},    {"Valencia", "Valencian Community", "ES", 2},
    {"Milan", "Lombardy", "IT", 5},         {"Rome", "Lazio", "IT", 5},
    {"Turin", "Piedmont", "IT", 2},         {"Dublin", "Leinster", "IE", 3},
    {"Lisbon", "Lisbon", "PT", 3},          {"Helsinki", "Uusimaa", "FI", 2},
};

constexpr sv kFemaleNames[] = {"Anna", "Maria", "Sophie", "Emma", "Laura", "Julia", "Lea", "Clara",
                               "Chloé", "Sofia", "Giulia", "Lucía", "Eva", "Sara", "Nina", "Hannah",
                               "Inès", "Zoë", "Mia", "Aoife", "Ines", "Elena", "Marta", "Lina"};
constexpr sv kMaleNames[] = {"Lukas", "Jonas", "Leon", "Paul", "Felix", "Max", "Louis", "Hugo",
                             "Lucas", "Mateo", "Marco", "Luca", "Daan", "Sem", "Noah", "Liam",
                             "Pablo", "Jan", "Tomás", "Seán", "Mehmet", "Ali", "Nils", "Emil"};
constexpr sv kLastNames[] = {"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
                             "Wagner", "Becker", "Martin", "Bernard", "Dubois", "Durand",
                             "García", "Fernández", "López", "Rossi", "Russo", "Bianchi",
                             "de Jong", "Jansen", "Peeters", "Murphy", "O'Brien", "Silva",
                             "Santos", "Virtanen", "Nowak", "Kowalski", "Yılmaz", "Novak"};
constexpr sv kEmailDomains[] = {"example.com", "example.org", "example.net", "mail.example.com"};

constexpr sv kOfferChannels[] = {"email", "sms", "push", "call"};
constexpr double kChannelResponse[] = {0.22, 0.28, 0.14, 0.45};

constexpr sv kTicketChannels[] = {"email", "chat", "phone", "web"};
constexpr sv kTicketCategories[] = {"billing", "technical", "account", "feature_request", "cancellation"};
constexpr sv kTicketPriorities[] = {"low", "medium", "high", "urgent"};
constexpr double kResolutionHours[] = {60.0, 30.0, 10.0, 3.0};

constexpr sv kCustomerBilling[] = {
    "I was charged twice this month, please check my invoice.",
    "Why did my monthly fee go up? Nobody told me about a \"price adjustment\".",
    "Can I get a refund for last month? I barely used the service.",
    "Still waiting for an answer about the double charge."};
constexpr sv kAgentBilling[] = {
    "Thanks for reaching out, I am looking into your invoice now.",
    "You are right, the second charge was an error; a refund is on its way.",
    "The new fee follows our price update; I have applied a one-time credit.",
    "Closing this ticket, the refund has been issued."};
constexpr sv kCustomerTechnical[] = {
    "The app crashes when I open reports.\nSteps: open app, tap Reports, crash.",
    "Export fails with error E_TIMEOUT after about 30 seconds.",
    "Sync between my phone and the web app does not work since the last update.",
    "The path C:\\Users\\me\\exports is rejected as invalid.",
    "Still broken after the update, I can't work like this."};
constexpr sv kAgentTechnical[] = {
    "Sorry for the trouble! Could you send us your app version?",
    "Our engineers reproduced the issue; a fix ships in the next release.",
    "Please update to the latest version and try again.",
    "The fix is live; closing this ticket. Schöne Grüße from support."};
constexpr sv kCustomerAccount[] = {
    "I cannot log in, the password reset mail never arrives.",
    "Please change the email address on my account.",
    "How do I add a second user to our account?"};
constexpr sv kAgentAccount[] = {
    "I have re-sent the reset link; please check your spam folder too.",
    "Done, your account now uses the new address.",
    "You can add users under Settings → Team."};
constexpr sv kCustomerFeature[] = {
    "It would be great to schedule reports by email.",
    "Please add a dark mode.",
    "We need an API endpoint for bulk exports."};
constexpr sv kAgentFeature[] = {
    "Thanks for the idea, I have passed it to our product team.",
    "Good news: this is on our roadmap for next quarter.",
    "Closing as the request is recorded."};
constexpr sv kCustomerCancel[] = {
    "I want to cancel my subscription.",
    "How do I end my contract? The service is too expensive for what I use.",
    "Please confirm the cancellation, I'm moving to another provider."};
constexpr sv kAgentCancel[] = {
    "Sorry to hear that. May I offer you a discount to stay?",
    "I have forwarded your request to our retention team.",
    "Your cancellation request is recorded."};

constexpr std::span<const sv> kCustomerLines[] = {kCustomerBilling, kCustomerTechnical, kCustomerAccount,
                                                  kCustomerFeature, kCustomerCancel};
constexpr std::span<const sv> kAgentLines[] = {kAgentBilling, kAgentTechnical, kAgentAccount,
                                               kAgentFeature, kAgentCancel};

constexpr sv kEventTypes[] = {"session_start", "session_end", "page_view", "feature_use", "search",
                              "export", "share", "error", "upload"};
constexpr double kEventTypeWeights[] = {0.35, 0.33, 0.12, 0.06, 0.05, 0.04, 0.05};
constexpr sv kFeatures[] = {"dashboard", "reports", "search", "export", "settings",
                            "billing", "integrations", "sharing", "mobile_sync", "api"};
constexpr double kFeatureWeights[3][10] = {
    {0.30, 0.15, 0.15, 0.05, 0.06, 0.04, 0.02, 0.08, 0.14, 0.01},
    {0.22, 0.22, 0.10, 0.10, 0.05, 0.04, 0.10, 0.08, 0.05, 0.04},
    {0.15, 0.25, 0.08, 0.12, 0.04, 0.02, 0.14, 0.05, 0.03, 0.12}};
constexpr sv kDevices[] = {"ios", "android", "web", "desktop"};
constexpr double kDeviceWeights[3][4] = {{0.35, 0.35, 0.22, 0.08}, {0.12, 0.10, 0.50, 0.28}, {0.05, 0.05, 0.55, 0.35}};
constexpr double kHourWeights[] = {1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 4.0, 5.0, 5.2, 5.0,
                                   4.6, 4.8, 5.0, 4.9, 4.6, 4.2, 4.0, 4.2, 4.0, 3.2, 2.2, 1.5};
}  // namespace

std::string_view SegmentName(Segment s) { return kSegmentNames[static_cast<int>(s)]; }
std::string_view ContractName(Contract c) { return kContractNames[static_cast<int>(c)]; }
double ContractPriceFactor(Contract c) {
  return c == Contract::kMonthly ? 1.0 : c == Contract::kAnnual ? 0.9 : 0.8;
}
std::span<const double> SegmentMix() { return kSegmentMix; }
std::span<const double> ContractMix(Segment s) { return kContractMix[static_cast<int>(s)]; }
std::span<const Plan> PlansOf(Segment s) {
  switch (s) {
    case Segment::kConsumer: return kConsumerPlans;
    case Segment::kSmb: return kSmbPlans;
    case Segment::kEnterprise: return kEnterprisePlans;
  }
  return kConsumerPlans;
}
double ReferenceFee(Segment s) { return kReferenceFee[static_cast<int>(s)]; }
double DailyActivityBase(Segment s) { return kDailyActivity[static_cast<int>(s)]; }
double TicketRateBase(Segment s) { return kTicketRate[static_cast<int>(s)]; }

namespace {
// e^k / E[e^k] over the window's active customer-days.
double RelativeToActiveDays(double k, double log_e) {
  // ln e over the active customer-days of the window (each customer-month weighted by its expected
  // active days), taken as normal N(m, v): then E[e^k] = exp(k m + k^2 v / 2). m and v are fitted to
  // E[e] = 1.552 and E[e^2] = 3.242 measured on the default company (100,000 customers, 12 months,
  // seed 42; seed 7: 1.548 and 3.221), so the volume is kept exactly at elasticity 1 and 2.
  constexpr double kMean = 0.29, kVariance = 0.30;
  return std::exp(k * (log_e - kMean) - k * k * kVariance / 2.0);
}
}  // namespace

double UsageExtraEventsMean(double events_per_active_day, double elasticity, double log_e) {
  return (events_per_active_day - 1.0) * RelativeToActiveDays(elasticity, log_e);
}
double UsageDurationFactor(double elasticity, double log_e) { return RelativeToActiveDays(elasticity, log_e); }
std::string_view PaymentMethodName(PaymentMethod p) { return kPaymentNames[static_cast<int>(p)]; }
std::span<const double> PaymentMix(Segment s) { return kPaymentMix[static_cast<int>(s)]; }
std::span<const City> Cities() { return kCities; }
std::span<const std::string_view> FirstNames(bool female) {
  return female ? std::span<const sv>(kFemaleNames) : std::span<const sv>(kMaleNames);
}
std::span<const std::string_view> LastNames() { return kLastNames; }
std::span<const std::string_view> EmailDomains() { return kEmailDomains; }
std::span<const std::string_view> OfferChannels() { return kOfferChannels; }
double ChannelResponseRate(int channel) { return kChannelResponse[channel]; }
std::span<const std::string_view> TicketChannels() { return kTicketChannels; }
std::span<const std::string_view> TicketCategories() { return kTicketCategories; }
std::span<const std::string_view> TicketPriorities() { return kTicketPriorities; }
double TicketResolutionHours(int priority) { return kResolutionHours[priority]; }
std::span<const std::string_view> CustomerLines(int category) { return kCustomerLines[category]; }
std::span<const std::string_view> AgentLines(int category) { return kAgentLines[category]; }
std::span<const std::string_view> UsageEventTypes() { return kEventTypes; }
std::span<const double> UsageEventTypeWeights() { return kEventTypeWeights; }
std::span<const std::string_view> UsageFeatures() { return kFeatures; }
std::span<const double> UsageFeatureWeights(Segment s) { return kFeatureWeights[static_cast<int>(s)]; }
std::span<const std::string_view> UsageDevices() { return kDevices; }
std::span<const double> UsageDeviceWeights(Segment s) { return kDeviceWeights[static_cast<int>(s)]; }
std::span<const double> HourOfDayWeights() { return kHourWeights; }

}  // namespace custlake::generate
