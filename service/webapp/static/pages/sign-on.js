// The sign-in page's buttons for the organisations that sign their people on with their own
// accounts (OpenID Connect). Filled in with the sign-on itself.
export async function renderProviders(container) {
  container.replaceChildren();
}
