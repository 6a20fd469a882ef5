/**
 * Generated from the OpenAPI document (GET /api/v1/openapi.json) by openapi-typescript: do not edit.
 * Regenerate with `npm run api:types` after changing a route; test/openapi-client.test.ts fails
 * while this file is out of date. Clients use it with openapi-fetch: `createClient<paths>()`.
 */
export interface paths {
  '/api/v1/auth/signup': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Create a customer or seller account; the answer is the same whether or not the email has one
     * @description Answers 202 for a new email (an unverified account is made and a verification link emailed) and for an email that has an account (its owner is emailed instead), so sign-up reveals nothing about which emails exist. It never signs in: sign in with POST /auth/login.
     */
    post: operations['signUp'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/login': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Sign in; every sign-in issues a new session token */
    post: operations['logIn'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/logout': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Revoke the presented session and clear the cookie */
    post: operations['logOut'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/me': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The signed-in account
     * @description Requires a session of any signed-in account: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getMe'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The caller's live sessions
     * @description Requires a session of any signed-in account: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['listMySessions'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/sessions/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Revoke one of your own sessions
     * @description Requires a session of any signed-in account: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    delete: operations['revokeSession'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/reauthenticate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Enter the password again, before a sensitive change (sellers and admins are asked every SESSION_REAUTH_MINUTES)
     * @description Requires a session of any signed-in account: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['reauthenticate'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/password': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Change the password, with the current one; every other session of the account ends
     * @description Requires a session of any signed-in account: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['changePassword'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/password-reset': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Email a password-reset link; the answer is the same whether or not the email has an account */
    post: operations['requestPasswordReset'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/password-reset/confirm': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Set a new password with the emailed token (single use); every session of the account ends */
    post: operations['resetPassword'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/verify-email': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Confirm an email address with the token from the sign-up email (single use) */
    post: operations['verifyEmail'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/account/become-seller': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Become a seller: the account can then open a shop (POST /shops)
     * @description Requires a session of an account with the role customer: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['becomeSeller'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/accounts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Accounts by the start of the email or part of the name, and role, by email, a page at a time
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['searchAccounts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/accounts/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Any account, for admins
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getAccount'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/categories': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The category tree */
    get: operations['listCategories'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/products': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Published products, filtered and sorted, a keyset page at a time */
    get: operations['listProducts'];
    put?: never;
    /**
     * List a product in your shop
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['createProduct'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/products/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A published product */
    get: operations['getProduct'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Edit, publish or unpublish your product (a product the operator holds cannot be published: 409)
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    patch: operations['updateProduct'];
    trace?: never;
  };
  '/api/v1/shops/{slug}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A shop and its first page of published products */
    get: operations['getShop'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Edit your shop
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    patch: operations['updateShop'];
    trace?: never;
  };
  '/api/v1/admin/categories': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Create a category
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['createCategory'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/shops': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Shops, newest first, by name or slug and status, a keyset page at a time
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['listShops'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/shops/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A shop, with its status and how many products it has
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getShopDetail'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/shops/{id}/approve': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Approve a pending shop: its published products go on the storefront
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['approveShop'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/shops/{id}/suspend': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Suspend a shop, with the reason its seller reads: its products leave the storefront, search and checkout at once
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['suspendShop'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/shops/{id}/reinstate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Reinstate a suspended shop: its published products come back
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['reinstateShop'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/products/{id}/unpublish': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Take a product off the storefront, with the reason its seller reads; the seller cannot publish it until the hold is lifted
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['unpublishProduct'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/products/{id}/release': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Lift the hold on a product: it stays a draft, which its seller may publish again
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['releaseProduct'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/shops': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Open your shop (pending until an admin approves it when ATELIER_SHOP_APPROVAL=required)
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['createShop'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/shop': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your shop and where it stands: pending approval, active, or suspended with the reason
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getMyShop'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/products/{id}/variants': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Add a variant to your product
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['addVariant'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/products/{id}/variants/{variantId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Edit a variant of your product
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    patch: operations['updateVariant'];
    trace?: never;
  };
  '/api/v1/seller/products': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your own products, drafts included, newest first
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['listMyProducts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/search': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Full-text search over published products, best matches first */
    get: operations['searchProducts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/products/{id}/images': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A product's images with their processing status (owner only)
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['listProductImages'];
    put?: never;
    /**
     * Upload a product image
     * @description Resized in the background; the product shows the image once its status is "ready". At most 10485760 bytes.
     *
     *     Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['uploadProductImage'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/shop/images/{slot}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Upload your shop's logo or banner
     * @description Resized in the background like a product image; the shop shows it once it is ready. At most 10485760 bytes.
     *
     *     Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['uploadShopImage'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/products/{id}/images/{imageId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Remove an image from a product (owner only)
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    delete: operations['deleteProductImage'];
    options?: never;
    head?: never;
    /**
     * Change an image's alt text or its place in the product's order (owner only)
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    patch: operations['updateProductImage'];
    trace?: never;
  };
  '/api/v1/products/{id}/stock': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A published product's stock per variant, coarse (in stock, few left, sold out) */
    get: operations['getProductStock'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/inventory/variants/{variantId}/restock': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Add stock to one of your variants
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['restockVariant'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/inventory/variants/{variantId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Set the on-hand count of one of your variants (not below what is sold or reserved)
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    put: operations['setVariantStock'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/inventory': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Exact stock of every variant of one of your products
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getMyInventory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/cart': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Your cart, with current prices and stock; unbuyable lines are flagged, not dropped */
    get: operations['getCart'];
    put?: never;
    post?: never;
    /** Empty your cart */
    delete: operations['clearCart'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/cart/lines/{variantId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /** Put a variant in your cart, or change its quantity */
    put: operations['setCartLine'];
    post?: never;
    /** Take a variant out of your cart (no error when it was not there) */
    delete: operations['removeCartLine'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/checkout': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Place an order (idempotent by the Idempotency-Key header)
     * @description Prices and totals come from the catalog; a client-sent price or total is ignored. Stock is reserved, the order is written as pending_payment and paid in the background. The same key with the same body returns the first answer byte for byte; with a different body, 422. When many buyers check out one variant at once, 429 ORDERS_CHECKOUT_QUEUED gives a place in line (details: position, estimatedWaitSeconds, retryAfterMs) and Retry-After: send the same request with the same key again then, to keep the place.
     *
     *     Requires a session of any signed-in account: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['checkout'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/orders': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * My orders, newest first
     * @description Requires a session of any signed-in account: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['listMyOrders'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/orders/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One of my orders
     * @description Requires a session of any signed-in account: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getMyOrder'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/orders/{id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Cancel one of my orders before it is paid (the stock goes back on sale)
     * @description Requires a session of any signed-in account: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['cancelMyOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/orders': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * My paid sub-orders as a seller, newest first, by status and date placed
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['listShopOrders'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/orders/{subOrderId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One of my sub-orders: address, lines, shipment and refunds
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getShopOrder'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/orders/{subOrderId}/packing-slip': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The packing slip of one of my sub-orders: address and what goes in the parcel, no prices
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getShopOrderPackingSlip'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/orders/{subOrderId}/advance': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Move my sub-order on: fulfilled, shipped (with carrier and tracking number), delivered
     * @description paid -> fulfilled -> shipped -> delivered (paid -> shipped too). Shipping and delivery email the buyer, the shipped email with the carrier, tracking number and link. Any other move: 409 ORDERS_ILLEGAL_TRANSITION with details {from, to}.
     *
     *     Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['advanceShopOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/orders/{subOrderId}/refund': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Refund my sub-order: in full, an amount, or chosen lines (also after shipping)
     * @description Without a body, what is left is refunded in full; with `amount` (minor units) or `lines`, part of it (an Idempotency-Key is then required, and the same key answers the same refund). Never above what was paid less what was already refunded: 409 ORDERS_REFUND_EXCEEDS_PAID or ORDERS_REFUND_QUANTITY_EXCEEDED. The buyer is emailed the amount.
     *
     *     Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['refundShopOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/orders': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Search every order: by id or reference, buyer's email, shop and status
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['searchOrders'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/orders/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Any order: the buyer, each sub-order with its shipment, lines and refunds
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getOrderAsOperator'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/orders/{id}/refund': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Refund any order: fully, or part of one sub-order (an amount or lines)
     * @description The same refund as the seller's. Without subOrderId: lines are refunded shop by shop, an amount needs the order to have one shop (else 400 ORDERS_SUB_ORDER_REQUIRED), and neither refunds what is left of every sub-order.
     *
     *     Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['refundOrder'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/reports/summary': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * My sales: paid orders and revenue per day, top products, stock alerts
     * @description Built from events by background jobs, so it trails the orders by a few seconds.
     *
     *     Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getSellerSummary'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/reports/platform': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Platform figures: paid orders per minute, gross sales, cart-to-order conversion
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getPlatformReport'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/exports/orders': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Export my orders as CSV (a background job); answers with the export to poll
     * @description While an export is pending or running, asking again returns that one.
     *
     *     Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['startOrdersExport'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/exports/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One of my exports: its status, and where to download it when ready
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getExport'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/exports/{id}/download': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The CSV file of one of my exports (409 while it is not ready)
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['downloadExport'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/webhooks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * My webhook endpoints (without their secrets); a disabled one carries a notice
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['listWebhooks'];
    put?: never;
    /**
     * Register a webhook endpoint for order events; answers with its signing secret (shown once)
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['createWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/webhooks/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Delete one of my webhook endpoints and its delivery history
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    delete: operations['deleteWebhook'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/webhooks/{id}/enable': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Enable an endpoint again after it was disabled; the events held meanwhile are sent
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['enableWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/webhooks/{id}/deliveries/{deliveryId}/redeliver': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send one of my deliveries again now, as it was first sent (delivered, failed, or pending: without waiting for its retry)
     * @description The same body and delivery id (receivers deduplicate by it), signed afresh, with a new retry window. 409 WEBHOOKS_NOT_REDELIVERABLE while the endpoint is disabled (enable it: that sends what it missed).
     *
     *     Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['redeliverWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/seller/webhooks/{id}/deliveries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * An endpoint's latest deliveries and their attempts (status code, error, time), for debugging
     * @description Requires a session of an account with the role seller: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['listWebhookDeliveries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/audit': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Search the audit log by actor, action, target and time range, newest first
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['searchAuditLog'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/audit/verify': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Walk the audit log's hash chain and name the first entry that does not verify
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['verifyAuditLog'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/jobs/{database}/{id}/retry': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Run a failed job again now, with its attempts back to zero (audited)
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['retryFailedJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/jobs/{database}/{id}/discard': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Remove a failed job from its queue for good (audited)
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    post: operations['discardFailedJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/now': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Now: orders a minute, sales, error rate, p99 latency, queues, cache hit ratio, replica lag and breakers, from this process's metrics
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getLiveFigures'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/data': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Shards and their placement on databases, the nodes serving, replicas and their lag
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['getDataPlacement'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/jobs/failed': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Jobs that used up their attempts, from every database
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['listFailedJobs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/replicas': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The catalog store's read replicas as this node sees them: rotation, lag, replay position
     * @description Requires a session of an account with the role admin: the `atelier_session` cookie or `Authorization: Bearer <token>`.
     */
    get: operations['listReplicas'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/media/{file}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** An image variant (content-addressed, immutable) */
    get: operations['getMediaFile'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description Every error answer: a stable code, a message for people, and the field at fault */
    Error: {
      error: {
        code: string;
        message: string;
        field?: string;
        details?: {
          [key: string]: unknown;
        };
      };
    };
    /** T0 */
    'def-0': {
      /** Format: uuid */
      id: string;
      slug: string;
      name: string;
      parentId: string | null;
      children: components['schemas']['def-0'][];
    };
  };
  responses: {
    /** @description The request is malformed: the error names the field at fault */
    BadRequest: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description No valid session: sign in and send the cookie or `Authorization: Bearer <token>` */
    Unauthenticated: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description The session's account may not do this */
    Forbidden: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description Nothing here, or nothing this account may see */
    NotFound: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description The request conflicts with the current state: the error says which */
    Conflict: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description The request body is too large */
    PayloadTooLarge: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description The request body is of a media type this operation does not take */
    UnsupportedMediaType: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description Well-formed, but the rules refuse it: the error says why */
    Unprocessable: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description Rate limited: wait `Retry-After` seconds */
    TooManyRequests: {
      headers: {
        /** @description Seconds to wait before trying again */
        'Retry-After': number;
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description Overloaded (load shedding) or a store is unreachable: try again after `Retry-After` seconds */
    Unavailable: {
      headers: {
        /** @description Seconds to wait before trying again */
        'Retry-After': number;
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
  };
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  signUp: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: email */
          email: string;
          /** @description At least 12 characters, not a common or easily guessed password */
          password: string;
          name: string;
          role?: 'customer' | 'seller';
        };
      };
    };
    responses: {
      /** @description Default Response */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            status: 'check_your_email';
            message: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  logIn: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          email: string;
          password: string;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          /** @description Sets or clears a cookie (the session, or the guest cart) */
          'Set-Cookie'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            account: {
              /** Format: uuid */
              id: string;
              email: string;
              name: string;
              role: 'customer' | 'seller' | 'admin';
              emailVerified: boolean;
            };
            token: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  logOut: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Signed out */
      204: {
        headers: {
          /** @description Sets or clears a cookie (the session, or the guest cart) */
          'Set-Cookie'?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getMe: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            account: {
              /** Format: uuid */
              id: string;
              email: string;
              name: string;
              role: 'customer' | 'seller' | 'admin';
              emailVerified: boolean;
            };
          };
        };
      };
      401: components['responses']['Unauthenticated'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  listMySessions: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            sessions: {
              /** Format: uuid */
              id: string;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              lastSeenAt: string;
              /** Format: date-time */
              expiresAt: string;
              current: boolean;
            }[];
          };
        };
      };
      401: components['responses']['Unauthenticated'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  revokeSession: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description No content */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  reauthenticate: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          password: string;
        };
      };
    };
    responses: {
      /** @description No content */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  changePassword: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          currentPassword: string;
          newPassword: string;
        };
      };
    };
    responses: {
      /** @description No content */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  requestPasswordReset: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          email: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            status: 'check_your_email';
            message: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  resetPassword: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          token: string;
          newPassword: string;
        };
      };
    };
    responses: {
      /** @description No content */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  verifyEmail: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          token: string;
        };
      };
    };
    responses: {
      /** @description No content */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  becomeSeller: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            account: {
              /** Format: uuid */
              id: string;
              email: string;
              name: string;
              role: 'customer' | 'seller' | 'admin';
              emailVerified: boolean;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  searchAccounts: {
    parameters: {
      query?: {
        /** @description The start of the email, or part of the name */
        q?: string;
        role?: 'customer' | 'seller' | 'admin';
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              /** Format: uuid */
              id: string;
              email: string;
              name: string;
              role: 'customer' | 'seller' | 'admin';
              emailVerified: boolean;
              /** Format: date-time */
              createdAt: string;
            }[];
            nextCursor: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getAccount: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            account: {
              /** Format: uuid */
              id: string;
              email: string;
              name: string;
              role: 'customer' | 'seller' | 'admin';
              emailVerified: boolean;
              /** Format: date-time */
              createdAt: string;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  listCategories: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            categories: components['schemas']['def-0'][];
          };
        };
      };
      /** @description Not modified (ETag matched) */
      304: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content?: never;
      };
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  listProducts: {
    parameters: {
      query?: {
        /** @description Category slug or id; includes subcategories */
        category?: string;
        shop?: string;
        /** @description Minor units of the platform currency */
        minPrice?: number;
        /** @description Minor units of the platform currency */
        maxPrice?: number;
        sort?: 'newest' | 'price_asc' | 'price_desc';
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              /** Format: uuid */
              id: string;
              title: string;
              shopSlug: string;
              shopName: string;
              categoryId: string | null;
              priceMin: {
                amount: number;
                currency: string;
              };
              image: {
                alt: string;
                thumb: string;
                card: string;
              } | null;
              /** Format: date-time */
              createdAt: string;
            }[];
            nextCursor: string | null;
          };
        };
      };
      /** @description Not modified (ETag matched) */
      304: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  createProduct: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          title: string;
          description: string;
          categoryId?: string | null;
          status?: 'draft' | 'published';
          variants: {
            sku?: string;
            /** @description e.g. { "size": "M", "colour": "indigo" } */
            options: {
              [key: string]: string;
            };
            /** @description Integer minor units of the shop currency */
            price: number;
          }[];
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            shopId: string;
            shopSlug: string;
            shopName: string;
            title: string;
            description: string;
            categoryId: string | null;
            categoryName: string | null;
            status: 'draft' | 'published';
            priceMin: {
              amount: number;
              currency: string;
            };
            images: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            }[];
            variants: {
              /** Format: uuid */
              id: string;
              sku: string;
              options: {
                [key: string]: string;
              };
              price: {
                amount: number;
                currency: string;
              };
              position: number;
            }[];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: uuid */
            ownerId: string;
            moderationNote: string | null;
            /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
            shopStatus: 'pending' | 'active' | 'suspended';
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getProduct: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            shopId: string;
            shopSlug: string;
            shopName: string;
            title: string;
            description: string;
            categoryId: string | null;
            categoryName: string | null;
            status: 'draft' | 'published';
            priceMin: {
              amount: number;
              currency: string;
            };
            images: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            }[];
            variants: {
              /** Format: uuid */
              id: string;
              sku: string;
              options: {
                [key: string]: string;
              };
              price: {
                amount: number;
                currency: string;
              };
              position: number;
            }[];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
          };
        };
      };
      /** @description Not modified (ETag matched) */
      304: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  updateProduct: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          title?: string;
          description?: string;
          categoryId?: string | null;
          status?: 'draft' | 'published';
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            shopId: string;
            shopSlug: string;
            shopName: string;
            title: string;
            description: string;
            categoryId: string | null;
            categoryName: string | null;
            status: 'draft' | 'published';
            priceMin: {
              amount: number;
              currency: string;
            };
            images: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            }[];
            variants: {
              /** Format: uuid */
              id: string;
              sku: string;
              options: {
                [key: string]: string;
              };
              price: {
                amount: number;
                currency: string;
              };
              position: number;
            }[];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: uuid */
            ownerId: string;
            moderationNote: string | null;
            /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
            shopStatus: 'pending' | 'active' | 'suspended';
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getShop: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        slug: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            shop: {
              /** Format: uuid */
              id: string;
              slug: string;
              name: string;
              description: string;
              currency: string;
              /** Format: date-time */
              createdAt: string;
              story: string;
              shippingPolicy: string;
              returnsPolicy: string;
              logo: {
                id: string;
                alt: string;
                urls: {
                  thumb: string;
                  card: string;
                  full: string;
                };
              } | null;
              banner: {
                id: string;
                alt: string;
                urls: {
                  thumb: string;
                  card: string;
                  full: string;
                };
              } | null;
            };
            products: {
              items: {
                /** Format: uuid */
                id: string;
                title: string;
                shopSlug: string;
                shopName: string;
                categoryId: string | null;
                priceMin: {
                  amount: number;
                  currency: string;
                };
                image: {
                  alt: string;
                  thumb: string;
                  card: string;
                } | null;
                /** Format: date-time */
                createdAt: string;
              }[];
              nextCursor: string | null;
            };
          };
        };
      };
      /** @description Not modified (ETag matched) */
      304: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  updateShop: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        slug: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name?: string;
          description?: string;
          /** @description The maker's story, shown on the shop's page */
          story?: string;
          shippingPolicy?: string;
          returnsPolicy?: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            slug: string;
            name: string;
            description: string;
            currency: string;
            /** Format: date-time */
            createdAt: string;
            story: string;
            shippingPolicy: string;
            returnsPolicy: string;
            logo: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            } | null;
            banner: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            } | null;
            /** Format: uuid */
            ownerId: string;
            /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
            status: 'pending' | 'active' | 'suspended';
            statusReason: string | null;
            statusChangedAt: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  createCategory: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          slug: string;
          name: string;
          parentId?: string | null;
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            slug: string;
            name: string;
            parentId: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  listShops: {
    parameters: {
      query?: {
        /** @description Part of the name, or the start of the slug */
        q?: string;
        /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
        status?: 'pending' | 'active' | 'suspended';
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              /** Format: uuid */
              id: string;
              slug: string;
              name: string;
              description: string;
              currency: string;
              /** Format: date-time */
              createdAt: string;
              story: string;
              shippingPolicy: string;
              returnsPolicy: string;
              logo: {
                id: string;
                alt: string;
                urls: {
                  thumb: string;
                  card: string;
                  full: string;
                };
              } | null;
              banner: {
                id: string;
                alt: string;
                urls: {
                  thumb: string;
                  card: string;
                  full: string;
                };
              } | null;
              /** Format: uuid */
              ownerId: string;
              /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
              status: 'pending' | 'active' | 'suspended';
              statusReason: string | null;
              statusChangedAt: string | null;
            }[];
            nextCursor: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getShopDetail: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            shop: {
              /** Format: uuid */
              id: string;
              slug: string;
              name: string;
              description: string;
              currency: string;
              /** Format: date-time */
              createdAt: string;
              story: string;
              shippingPolicy: string;
              returnsPolicy: string;
              logo: {
                id: string;
                alt: string;
                urls: {
                  thumb: string;
                  card: string;
                  full: string;
                };
              } | null;
              banner: {
                id: string;
                alt: string;
                urls: {
                  thumb: string;
                  card: string;
                  full: string;
                };
              } | null;
              /** Format: uuid */
              ownerId: string;
              /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
              status: 'pending' | 'active' | 'suspended';
              statusReason: string | null;
              statusChangedAt: string | null;
            };
            products: {
              published: number;
              draft: number;
              held: number;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  approveShop: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            slug: string;
            name: string;
            description: string;
            currency: string;
            /** Format: date-time */
            createdAt: string;
            story: string;
            shippingPolicy: string;
            returnsPolicy: string;
            logo: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            } | null;
            banner: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            } | null;
            /** Format: uuid */
            ownerId: string;
            /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
            status: 'pending' | 'active' | 'suspended';
            statusReason: string | null;
            statusChangedAt: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  suspendShop: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description Why: the seller reads it */
          reason: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            slug: string;
            name: string;
            description: string;
            currency: string;
            /** Format: date-time */
            createdAt: string;
            story: string;
            shippingPolicy: string;
            returnsPolicy: string;
            logo: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            } | null;
            banner: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            } | null;
            /** Format: uuid */
            ownerId: string;
            /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
            status: 'pending' | 'active' | 'suspended';
            statusReason: string | null;
            statusChangedAt: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  reinstateShop: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            slug: string;
            name: string;
            description: string;
            currency: string;
            /** Format: date-time */
            createdAt: string;
            story: string;
            shippingPolicy: string;
            returnsPolicy: string;
            logo: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            } | null;
            banner: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            } | null;
            /** Format: uuid */
            ownerId: string;
            /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
            status: 'pending' | 'active' | 'suspended';
            statusReason: string | null;
            statusChangedAt: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  unpublishProduct: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description Why: the seller reads it */
          reason: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            shopId: string;
            shopSlug: string;
            shopName: string;
            title: string;
            description: string;
            categoryId: string | null;
            categoryName: string | null;
            status: 'draft' | 'published';
            priceMin: {
              amount: number;
              currency: string;
            };
            images: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            }[];
            variants: {
              /** Format: uuid */
              id: string;
              sku: string;
              options: {
                [key: string]: string;
              };
              price: {
                amount: number;
                currency: string;
              };
              position: number;
            }[];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: uuid */
            ownerId: string;
            moderationNote: string | null;
            /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
            shopStatus: 'pending' | 'active' | 'suspended';
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  releaseProduct: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            shopId: string;
            shopSlug: string;
            shopName: string;
            title: string;
            description: string;
            categoryId: string | null;
            categoryName: string | null;
            status: 'draft' | 'published';
            priceMin: {
              amount: number;
              currency: string;
            };
            images: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            }[];
            variants: {
              /** Format: uuid */
              id: string;
              sku: string;
              options: {
                [key: string]: string;
              };
              price: {
                amount: number;
                currency: string;
              };
              position: number;
            }[];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: uuid */
            ownerId: string;
            moderationNote: string | null;
            /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
            shopStatus: 'pending' | 'active' | 'suspended';
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  createShop: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          slug: string;
          name: string;
          currency?: string;
          description?: string;
          /** @description The maker's story, shown on the shop's page */
          story?: string;
          shippingPolicy?: string;
          returnsPolicy?: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            slug: string;
            name: string;
            description: string;
            currency: string;
            /** Format: date-time */
            createdAt: string;
            story: string;
            shippingPolicy: string;
            returnsPolicy: string;
            logo: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            } | null;
            banner: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            } | null;
            /** Format: uuid */
            ownerId: string;
            /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
            status: 'pending' | 'active' | 'suspended';
            statusReason: string | null;
            statusChangedAt: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getMyShop: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            slug: string;
            name: string;
            description: string;
            currency: string;
            /** Format: date-time */
            createdAt: string;
            story: string;
            shippingPolicy: string;
            returnsPolicy: string;
            logo: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            } | null;
            banner: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            } | null;
            /** Format: uuid */
            ownerId: string;
            /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
            status: 'pending' | 'active' | 'suspended';
            statusReason: string | null;
            statusChangedAt: string | null;
          };
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  addVariant: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          sku?: string;
          /** @description e.g. { "size": "M", "colour": "indigo" } */
          options: {
            [key: string]: string;
          };
          /** @description Integer minor units of the shop currency */
          price: number;
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            shopId: string;
            shopSlug: string;
            shopName: string;
            title: string;
            description: string;
            categoryId: string | null;
            categoryName: string | null;
            status: 'draft' | 'published';
            priceMin: {
              amount: number;
              currency: string;
            };
            images: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            }[];
            variants: {
              /** Format: uuid */
              id: string;
              sku: string;
              options: {
                [key: string]: string;
              };
              price: {
                amount: number;
                currency: string;
              };
              position: number;
            }[];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: uuid */
            ownerId: string;
            moderationNote: string | null;
            /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
            shopStatus: 'pending' | 'active' | 'suspended';
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  updateVariant: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        variantId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          sku?: string;
          /** @description e.g. { "size": "M", "colour": "indigo" } */
          options?: {
            [key: string]: string;
          };
          /** @description Integer minor units of the shop currency */
          price?: number;
          position?: number;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            shopId: string;
            shopSlug: string;
            shopName: string;
            title: string;
            description: string;
            categoryId: string | null;
            categoryName: string | null;
            status: 'draft' | 'published';
            priceMin: {
              amount: number;
              currency: string;
            };
            images: {
              id: string;
              alt: string;
              urls: {
                thumb: string;
                card: string;
                full: string;
              };
            }[];
            variants: {
              /** Format: uuid */
              id: string;
              sku: string;
              options: {
                [key: string]: string;
              };
              price: {
                amount: number;
                currency: string;
              };
              position: number;
            }[];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: uuid */
            ownerId: string;
            moderationNote: string | null;
            /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
            shopStatus: 'pending' | 'active' | 'suspended';
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  listMyProducts: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
        /** @description Words of the title */
        q?: string;
        /** @description unpublished: held unpublished by the operator (see moderationNote) */
        status?: 'draft' | 'published' | 'unpublished';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              /** Format: uuid */
              id: string;
              /** Format: uuid */
              shopId: string;
              shopSlug: string;
              shopName: string;
              title: string;
              description: string;
              categoryId: string | null;
              categoryName: string | null;
              status: 'draft' | 'published';
              priceMin: {
                amount: number;
                currency: string;
              };
              images: {
                id: string;
                alt: string;
                urls: {
                  thumb: string;
                  card: string;
                  full: string;
                };
              }[];
              variants: {
                /** Format: uuid */
                id: string;
                sku: string;
                options: {
                  [key: string]: string;
                };
                price: {
                  amount: number;
                  currency: string;
                };
                position: number;
              }[];
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              /** Format: uuid */
              ownerId: string;
              moderationNote: string | null;
              /** @description pending: waits for approval; active: selling; suspended: taken off the storefront by the operator */
              shopStatus: 'pending' | 'active' | 'suspended';
            }[];
            nextCursor: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  searchProducts: {
    parameters: {
      query: {
        /** @description Words to find; the last one also matches as a prefix */
        q: string;
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              /** Format: uuid */
              id: string;
              title: string;
              shopSlug: string;
              shopName: string;
              priceMin: {
                amount: number;
                currency: string;
              };
              image: {
                id: string;
                alt: string;
                urls: {
                  thumb: string;
                  card: string;
                  full: string;
                };
              } | null;
            }[];
            nextCursor: string | null;
            /** @description Present (true) when the ranked query ran out of time and a simpler title-only match answered: no ranking, no later pages */
            degraded?: boolean;
          };
        };
      };
      /** @description Not modified (ETag matched) */
      304: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  listProductImages: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            images: {
              /** Format: uuid */
              id: string;
              /** Format: uuid */
              productId: string;
              alt: string;
              status: 'processing' | 'ready' | 'failed';
              width: number | null;
              height: number | null;
              urls: {
                thumb: string;
                card: string;
                full: string;
              } | null;
              error: string | null;
              /** Format: date-time */
              createdAt: string;
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  uploadProductImage: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'multipart/form-data': {
          /**
           * Format: binary
           * @description JPEG, PNG, WebP, AVIF or GIF; the type is read from the content
           */
          image: string;
          /** @description Text alternative for screen readers */
          alt?: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            image: {
              /** Format: uuid */
              id: string;
              /** @enum {string} */
              status: 'processing';
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['Unprocessable'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  uploadShopImage: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        slot: 'logo' | 'banner';
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'multipart/form-data': {
          /**
           * Format: binary
           * @description JPEG, PNG, WebP, AVIF or GIF; the type is read from the content
           */
          image: string;
          /** @description Text alternative for screen readers */
          alt?: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            image: {
              /** Format: uuid */
              id: string;
              /** @enum {string} */
              status: 'processing';
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['Unprocessable'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  deleteProductImage: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        imageId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Removed */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  updateProductImage: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        imageId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description Text alternative for screen readers */
          alt?: string;
          /** @description Where the image goes in the product's order: 0 is first; past the end is last */
          position?: number;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            images: {
              /** Format: uuid */
              id: string;
              /** Format: uuid */
              productId: string;
              alt: string;
              status: 'processing' | 'ready' | 'failed';
              width: number | null;
              height: number | null;
              urls: {
                thumb: string;
                card: string;
                full: string;
              } | null;
              error: string | null;
              /** Format: date-time */
              createdAt: string;
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getProductStock: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            productId: string;
            variants: {
              /** Format: uuid */
              variantId: string;
              /** @description Coarse on purpose: exact counts are for the owner only */
              status: 'in_stock' | 'few_left' | 'sold_out';
            }[];
          };
        };
      };
      /** @description Not modified (ETag matched) */
      304: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  restockVariant: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        variantId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          quantity: number;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            variantId: string;
            onHand: number;
            reserved: number;
            sold: number;
            available: number;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  setVariantStock: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        variantId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          onHand: number;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            variantId: string;
            onHand: number;
            reserved: number;
            sold: number;
            available: number;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getMyInventory: {
    parameters: {
      query: {
        productId: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: uuid */
            productId: string;
            variants: {
              /** Format: uuid */
              variantId: string;
              onHand: number;
              reserved: number;
              sold: number;
              available: number;
              sku: string;
              options: {
                [key: string]: string;
              };
              /** @description Coarse on purpose: exact counts are for the owner only */
              status: 'in_stock' | 'few_left' | 'sold_out';
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getCart: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          /** @description Sets or clears a cookie (the session, or the guest cart) */
          'Set-Cookie'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            lines: {
              /** Format: uuid */
              variantId: string;
              quantity: number;
              /** Format: date-time */
              addedAt: string;
              available: boolean;
              reason: ('variant_deleted' | 'variant_unpublished' | 'sold_out' | 'insufficient_stock') | null;
              availableQuantity: number | null;
              productId: string | null;
              productTitle: string | null;
              sku: string | null;
              options: {
                [key: string]: string;
              } | null;
              shopName: string | null;
              unitPrice: {
                amount: number;
                currency: string;
              } | null;
              lineTotal: {
                amount: number;
                currency: string;
              } | null;
              stock: ('in_stock' | 'few_left' | 'sold_out') | null;
            }[];
            itemCount: number;
            totals: {
              amount: number;
              currency: string;
            }[];
            limits: {
              maxLines: number;
              maxQuantity: number;
            };
          };
        };
      };
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  clearCart: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Emptied */
      204: {
        headers: {
          /** @description Sets or clears a cookie (the session, or the guest cart) */
          'Set-Cookie'?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  setCartLine: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        variantId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          quantity: number;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          /** @description Sets or clears a cookie (the session, or the guest cart) */
          'Set-Cookie'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            lines: {
              /** Format: uuid */
              variantId: string;
              quantity: number;
              /** Format: date-time */
              addedAt: string;
              available: boolean;
              reason: ('variant_deleted' | 'variant_unpublished' | 'sold_out' | 'insufficient_stock') | null;
              availableQuantity: number | null;
              productId: string | null;
              productTitle: string | null;
              sku: string | null;
              options: {
                [key: string]: string;
              } | null;
              shopName: string | null;
              unitPrice: {
                amount: number;
                currency: string;
              } | null;
              lineTotal: {
                amount: number;
                currency: string;
              } | null;
              stock: ('in_stock' | 'few_left' | 'sold_out') | null;
            }[];
            itemCount: number;
            totals: {
              amount: number;
              currency: string;
            }[];
            limits: {
              maxLines: number;
              maxQuantity: number;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['Unprocessable'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  removeCartLine: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        variantId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          /** @description Sets or clears a cookie (the session, or the guest cart) */
          'Set-Cookie'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            lines: {
              /** Format: uuid */
              variantId: string;
              quantity: number;
              /** Format: date-time */
              addedAt: string;
              available: boolean;
              reason: ('variant_deleted' | 'variant_unpublished' | 'sold_out' | 'insufficient_stock') | null;
              availableQuantity: number | null;
              productId: string | null;
              productTitle: string | null;
              sku: string | null;
              options: {
                [key: string]: string;
              } | null;
              shopName: string | null;
              unitPrice: {
                amount: number;
                currency: string;
              } | null;
              lineTotal: {
                amount: number;
                currency: string;
              } | null;
              stock: ('in_stock' | 'few_left' | 'sold_out') | null;
            }[];
            itemCount: number;
            totals: {
              amount: number;
              currency: string;
            }[];
            limits: {
              maxLines: number;
              maxQuantity: number;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  checkout: {
    parameters: {
      query?: never;
      header?: {
        /** @description Required: 1..100 characters of A-Z a-z 0-9 _ . : -; the same key replays the first answer */
        'idempotency-key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description Without lines, the customer's cart is checked out */
          lines?: {
            /** Format: uuid */
            variantId: string;
            quantity: number;
            /** @description Ignored: prices come from the catalog */
            price?: unknown;
          }[];
          shippingAddress: {
            name: string;
            line1: string;
            line2?: string;
            city: string;
            postalCode: string;
            /** @description ISO 3166-1 alpha-2 */
            country: string;
          };
          /** @description Ignored: the total is computed on the server */
          total?: unknown;
        };
      };
    };
    responses: {
      /** @description OK */
      202: {
        headers: {
          /** @description Where the created or accepted resource can be read */
          Location?: string;
          /** @description Sets or clears a cookie (the session, or the guest cart) */
          'Set-Cookie'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            order: {
              /** Format: uuid */
              id: string;
              status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
              total: {
                amount: number;
                currency: string;
              };
            };
            statusUrl: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['Unprocessable'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  listMyOrders: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              /** Format: uuid */
              id: string;
              status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
              total: {
                amount: number;
                currency: string;
              };
              /** Format: date-time */
              createdAt: string;
            }[];
            nextCursor: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getMyOrder: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            order: {
              /** Format: uuid */
              id: string;
              status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
              total: {
                amount: number;
                currency: string;
              };
              shippingAddress: {
                name: string;
                line1: string;
                line2?: string;
                city: string;
                postalCode: string;
                /** @description ISO 3166-1 alpha-2 */
                country: string;
              };
              /** Format: date-time */
              paymentDeadline: string;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              subOrders: {
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                shopId: string;
                shopName: string;
                status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
                total: {
                  amount: number;
                  currency: string;
                };
                lines: {
                  /** Format: uuid */
                  variantId: string;
                  /** Format: uuid */
                  productId: string;
                  title: string;
                  sku: string;
                  options: {
                    [key: string]: string;
                  };
                  unitPrice: {
                    amount: number;
                    currency: string;
                  };
                  quantity: number;
                }[];
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  cancelMyOrder: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            order: {
              /** Format: uuid */
              id: string;
              status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  listShopOrders: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
        status?: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
        /** @description Placed at or after this time */
        placedFrom?: string;
        /** @description Placed before this time */
        placedBefore?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              /** Format: uuid */
              subOrderId: string;
              /** Format: uuid */
              orderId: string;
              status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
              total: {
                amount: number;
                currency: string;
              };
              /** Format: date-time */
              placedAt: string;
            }[];
            nextCursor: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getShopOrder: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        subOrderId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            subOrder: {
              /** Format: uuid */
              id: string;
              /** Format: uuid */
              orderId: string;
              orderReference: string;
              /** Format: uuid */
              shopId: string;
              shopName: string;
              status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
              total: {
                amount: number;
                currency: string;
              };
              refunded: {
                amount: number;
                currency: string;
              };
              shippingAddress: {
                name: string;
                line1: string;
                line2?: string;
                city: string;
                postalCode: string;
                /** @description ISO 3166-1 alpha-2 */
                country: string;
              };
              /** Format: date-time */
              placedAt: string;
              fulfilledAt: string | null;
              shippedAt: string | null;
              deliveredAt: string | null;
              shipment: {
                carrier: string;
                carrierName: string;
                trackingNumber: string | null;
                trackingUrl: string | null;
              } | null;
              lines: {
                /** Format: uuid */
                variantId: string;
                /** Format: uuid */
                productId: string;
                title: string;
                sku: string;
                options: {
                  [key: string]: string;
                };
                unitPrice: {
                  amount: number;
                  currency: string;
                };
                quantity: number;
                refundedQuantity: number;
              }[];
              refunds: {
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                orderId: string;
                /** Format: uuid */
                subOrderId: string;
                amount: {
                  amount: number;
                  currency: string;
                };
                lines: {
                  /** Format: uuid */
                  variantId: string;
                  quantity: number;
                  amount: number;
                }[];
                reason: string | null;
                status: 'pending' | 'succeeded' | 'failed';
                /** Format: date-time */
                createdAt: string;
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getShopOrderPackingSlip: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        subOrderId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            packingSlip: {
              /** Format: uuid */
              subOrderId: string;
              /** Format: uuid */
              orderId: string;
              orderReference: string;
              shopName: string;
              /** Format: date-time */
              placedAt: string;
              shipTo: {
                name: string;
                line1: string;
                line2?: string;
                city: string;
                postalCode: string;
                /** @description ISO 3166-1 alpha-2 */
                country: string;
              };
              lines: {
                /** Format: uuid */
                variantId: string;
                title: string;
                sku: string;
                options: {
                  [key: string]: string;
                };
                quantity: number;
              }[];
              shipment: {
                carrier: string;
                carrierName: string;
                trackingNumber: string | null;
                trackingUrl: string | null;
              } | null;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  advanceShopOrder: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        subOrderId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          to: 'fulfilled' | 'shipped' | 'delivered';
          /** @description With "shipped": the carrier. These get their tracking link built: ups, fedex, dhl, usps, royal-mail, la-poste, dpd, gls, postnl */
          carrier?: string;
          trackingNumber?: string;
          /** @description The parcel's tracking link, when the carrier is not one we know (or to use another) */
          trackingUrl?: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            subOrder: {
              /** Format: uuid */
              id: string;
              status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
              shipment: {
                carrier: string;
                trackingNumber: string | null;
                trackingUrl: string | null;
              } | null;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  refundShopOrder: {
    parameters: {
      query?: never;
      header?: {
        /** @description Required for a partial refund (1..100 characters of A-Z a-z 0-9 _ . : -): the same key answers the same refund. A full refund without one is keyed by the sub-order */
        'idempotency-key'?: string;
      };
      path: {
        subOrderId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /** @description Minor units; or give lines; neither refunds what is left */
          amount?: number;
          lines?: {
            /** Format: uuid */
            variantId: string;
            quantity: number;
          }[];
          reason?: string;
        } | null;
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            refund: {
              /** Format: uuid */
              id: string;
              /** Format: uuid */
              orderId: string;
              /** Format: uuid */
              subOrderId: string;
              amount: {
                amount: number;
                currency: string;
              };
              lines: {
                /** Format: uuid */
                variantId: string;
                quantity: number;
                amount: number;
              }[];
              reason: string | null;
              status: 'pending' | 'succeeded' | 'failed';
              /** Format: date-time */
              createdAt: string;
            };
            subOrder: {
              /** Format: uuid */
              id: string;
              status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
              refunded: {
                amount: number;
                currency: string;
              };
              refundable: {
                amount: number;
                currency: string;
              };
            };
            replayed: boolean;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['Unprocessable'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  searchOrders: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
        /** @description An order id or its 8-character reference */
        order?: string;
        /** @description The buyer's email */
        email?: string;
        shopId?: string;
        status?: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              /** Format: uuid */
              id: string;
              reference: string;
              /** Format: uuid */
              customerId: string;
              status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
              total: {
                amount: number;
                currency: string;
              };
              /** Format: date-time */
              createdAt: string;
              subOrders: {
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                shopId: string;
                shopName: string;
                status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
                refunded: {
                  amount: number;
                  currency: string;
                };
              }[];
            }[];
            nextCursor: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getOrderAsOperator: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            order: {
              /** Format: uuid */
              id: string;
              reference: string;
              status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
              total: {
                amount: number;
                currency: string;
              };
              refunded: {
                amount: number;
                currency: string;
              };
              customer: {
                /** Format: uuid */
                id: string;
                email: string | null;
                name: string | null;
              };
              shippingAddress: {
                name: string;
                line1: string;
                line2?: string;
                city: string;
                postalCode: string;
                /** @description ISO 3166-1 alpha-2 */
                country: string;
              };
              /** Format: date-time */
              paymentDeadline: string;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              subOrders: {
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                orderId: string;
                orderReference: string;
                /** Format: uuid */
                shopId: string;
                shopName: string;
                status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
                total: {
                  amount: number;
                  currency: string;
                };
                refunded: {
                  amount: number;
                  currency: string;
                };
                shippingAddress: {
                  name: string;
                  line1: string;
                  line2?: string;
                  city: string;
                  postalCode: string;
                  /** @description ISO 3166-1 alpha-2 */
                  country: string;
                };
                /** Format: date-time */
                placedAt: string;
                fulfilledAt: string | null;
                shippedAt: string | null;
                deliveredAt: string | null;
                shipment: {
                  carrier: string;
                  carrierName: string;
                  trackingNumber: string | null;
                  trackingUrl: string | null;
                } | null;
                lines: {
                  /** Format: uuid */
                  variantId: string;
                  /** Format: uuid */
                  productId: string;
                  title: string;
                  sku: string;
                  options: {
                    [key: string]: string;
                  };
                  unitPrice: {
                    amount: number;
                    currency: string;
                  };
                  quantity: number;
                  refundedQuantity: number;
                }[];
                refunds: {
                  /** Format: uuid */
                  id: string;
                  /** Format: uuid */
                  orderId: string;
                  /** Format: uuid */
                  subOrderId: string;
                  amount: {
                    amount: number;
                    currency: string;
                  };
                  lines: {
                    /** Format: uuid */
                    variantId: string;
                    quantity: number;
                    amount: number;
                  }[];
                  reason: string | null;
                  status: 'pending' | 'succeeded' | 'failed';
                  /** Format: date-time */
                  createdAt: string;
                }[];
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  refundOrder: {
    parameters: {
      query?: never;
      header?: {
        /** @description Required for a partial refund (1..100 characters of A-Z a-z 0-9 _ . : -): the same key answers the same refund. A full refund without one is keyed by the sub-order */
        'idempotency-key'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /** Format: uuid */
          subOrderId?: string;
          /** @description Minor units; or give lines; neither refunds what is left */
          amount?: number;
          lines?: {
            /** Format: uuid */
            variantId: string;
            quantity: number;
          }[];
          reason?: string;
        } | null;
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            refunds: {
              refund: {
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                orderId: string;
                /** Format: uuid */
                subOrderId: string;
                amount: {
                  amount: number;
                  currency: string;
                };
                lines: {
                  /** Format: uuid */
                  variantId: string;
                  quantity: number;
                  amount: number;
                }[];
                reason: string | null;
                status: 'pending' | 'succeeded' | 'failed';
                /** Format: date-time */
                createdAt: string;
              };
              subOrder: {
                /** Format: uuid */
                id: string;
                status: 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';
                refunded: {
                  amount: number;
                  currency: string;
                };
                refundable: {
                  amount: number;
                  currency: string;
                };
              };
              replayed: boolean;
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['Unprocessable'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getSellerSummary: {
    parameters: {
      query?: {
        /** @description First day (inclusive); defaults to 29 days before `to` */
        from?: string;
        /** @description Last day (inclusive); defaults to today (UTC) */
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            summary: {
              /**
               * Format: date
               * @description A UTC calendar day, YYYY-MM-DD
               */
              from: string;
              /**
               * Format: date
               * @description A UTC calendar day, YYYY-MM-DD
               */
              to: string;
              /** @description Days with paid orders, oldest first */
              days: {
                /**
                 * Format: date
                 * @description A UTC calendar day, YYYY-MM-DD
                 */
                day: string;
                orders: number;
                revenue: {
                  amount: number;
                  currency: string;
                };
              }[];
              /** @description One per currency */
              totals: {
                orders: number;
                revenue: {
                  amount: number;
                  currency: string;
                };
              }[];
              /** @description Best sellers by revenue over the range */
              topProducts: {
                /** Format: uuid */
                productId: string;
                title: string | null;
                units: number;
                revenue: {
                  amount: number;
                  currency: string;
                };
              }[];
              /** @description Variants that ran low during the range (the latest alert of each), newest first */
              stockAlerts: {
                /** Format: uuid */
                variantId: string;
                /** Format: uuid */
                productId: string;
                title: string | null;
                sku: string;
                available: number;
                threshold: number;
                /** Format: date-time */
                raisedAt: string;
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getPlatformReport: {
    parameters: {
      query?: {
        /** @description First day (inclusive); defaults to 29 days before `to` */
        from?: string;
        /** @description Last day (inclusive); defaults to today (UTC) */
        to?: string;
        /** @description How many recent minutes ordersPerMinute covers */
        minutes?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            platform: {
              ordersPerMinute: {
                /** Format: date-time */
                from: string;
                /** Format: date-time */
                to: string;
                /** @description Paid orders per minute, the current minute last */
                minutes: {
                  /** Format: date-time */
                  minute: string;
                  orders: number;
                }[];
              };
              /**
               * Format: date
               * @description A UTC calendar day, YYYY-MM-DD
               */
              from: string;
              /**
               * Format: date
               * @description A UTC calendar day, YYYY-MM-DD
               */
              to: string;
              /** @description Paid order totals over the range, per currency */
              grossSales: {
                orders: number;
                gross: {
                  amount: number;
                  currency: string;
                };
              }[];
              conversion: {
                cartsStarted: number;
                cartsConverted: number;
                /** @description converted / started; null when no cart started */
                rate: number | null;
              };
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  startOrdersExport: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      202: {
        headers: {
          /** @description Where the created or accepted resource can be read */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            export: {
              /** Format: uuid */
              id: string;
              /** @enum {string} */
              kind: 'orders';
              status: 'pending' | 'running' | 'ready' | 'failed';
              rowCount: number | null;
              bytes: number | null;
              error: string | null;
              /** Format: date-time */
              createdAt: string;
              finishedAt: string | null;
              downloadUrl: string | null;
            };
            statusUrl: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getExport: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            export: {
              /** Format: uuid */
              id: string;
              /** @enum {string} */
              kind: 'orders';
              status: 'pending' | 'running' | 'ready' | 'failed';
              rowCount: number | null;
              bytes: number | null;
              error: string | null;
              /** Format: date-time */
              createdAt: string;
              finishedAt: string | null;
              downloadUrl: string | null;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  downloadExport: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The CSV file */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/csv': string;
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  listWebhooks: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            endpoints: {
              /** Format: uuid */
              id: string;
              url: string;
              eventTypes: string[];
              status: 'active' | 'disabled';
              /** Format: date-time */
              createdAt: string;
              lastSuccessAt: string | null;
              /** @description Failed attempts since the last success */
              consecutiveFailures: number;
              disabledAt: string | null;
              notice: string | null;
            }[];
          };
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  createWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description Where deliveries are POSTed: https:// and a public address (http:// and local addresses only where WEBHOOKS_ALLOW_INSECURE is set) */
          url: string;
          /** @description The events to receive */
          eventTypes: 'order.paid'[];
        };
      };
    };
    responses: {
      /** @description OK */
      201: {
        headers: {
          /** @description Where the created or accepted resource can be read */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            endpoint: {
              /** Format: uuid */
              id: string;
              url: string;
              eventTypes: string[];
              status: 'active' | 'disabled';
              /** Format: date-time */
              createdAt: string;
              lastSuccessAt: string | null;
              /** @description Failed attempts since the last success */
              consecutiveFailures: number;
              disabledAt: string | null;
              notice: string | null;
            };
            /** @description The signing secret: shown once, store it now */
            secret: string;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  deleteWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  enableWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            endpoint: {
              /** Format: uuid */
              id: string;
              url: string;
              eventTypes: string[];
              status: 'active' | 'disabled';
              /** Format: date-time */
              createdAt: string;
              lastSuccessAt: string | null;
              /** @description Failed attempts since the last success */
              consecutiveFailures: number;
              disabledAt: string | null;
              notice: string | null;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  redeliverWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        deliveryId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            delivery: {
              /** Format: uuid */
              id: string;
              /**
               * @description Queued to be sent again now
               * @enum {string}
               */
              status: 'pending';
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  listWebhookDeliveries: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description The latest deliveries, newest first */
            deliveries: {
              /** Format: uuid */
              id: string;
              /** Format: uuid */
              eventId: string;
              eventType: string;
              /** @description pending: retrying; delivered; held: kept while the endpoint is disabled; failed: gave up after the retry window */
              status: 'pending' | 'delivered' | 'held' | 'failed';
              attempts: number;
              nextAttemptAt: string | null;
              lastStatusCode: number | null;
              lastError: string | null;
              deliveredAt: string | null;
              /** Format: date-time */
              createdAt: string;
              recentAttempts: {
                attempt: number;
                /** Format: date-time */
                attemptedAt: string;
                statusCode: number | null;
                error: string | null;
                durationMs: number;
              }[];
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  searchAuditLog: {
    parameters: {
      query?: {
        actorId?: string;
        action?: string;
        targetType?: string;
        targetId?: string;
        /** @description Entries from this time on (inclusive) */
        from?: string;
        /** @description Entries before this time (exclusive) */
        to?: string;
        /** @description The nextCursor of the previous page */
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              /** @description Its place in the chain */
              seq: number;
              /** Format: uuid */
              eventId: string;
              /**
               * Format: date-time
               * @description When the action was taken
               */
              occurredAt: string;
              /**
               * Format: date-time
               * @description When the entry was written to the log
               */
              recordedAt: string;
              actor: {
                accountId: string;
                role: string;
                ip: string | null;
                userAgent: string | null;
              };
              /** @description What was done, e.g. inventory.restocked */
              action: string;
              target: {
                type: string;
                id: string;
              };
              before: {
                [key: string]: unknown;
              } | null;
              after: {
                [key: string]: unknown;
              } | null;
              reason: string | null;
              /** @description SHA-256, hex */
              prevHash: string;
              /** @description SHA-256, hex */
              hash: string;
            }[];
            nextCursor: string | null;
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  verifyAuditLog: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description ok, or the first entry that does not verify */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            ok: boolean;
            /** @description Entries checked (all of them when ok) */
            entries: number;
            headSeq?: number;
            /** @description SHA-256, hex */
            headHash?: string;
            firstBad?: {
              seq: number;
              eventId: string | null;
              problem: 'content_changed' | 'link_broken' | 'entry_missing' | 'head_mismatch';
              message: string;
            };
          };
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  retryFailedJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The database whose queue holds the job (catalog, shard0, ...) */
        database: string;
        /** @description The job's id on that database */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            job: {
              database: string;
              id: string;
              task: string;
              /** Format: date-time */
              runAt: string;
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  discardFailedJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The database whose queue holds the job (catalog, shard0, ...) */
        database: string;
        /** @description The job's id on that database */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Discarded */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getLiveFigures: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description This process's figures, from its own metrics */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** Format: date-time */
            at: string;
            sampledForSeconds: number;
            lastMinute: {
              /** @description The span the figures cover (shorter while the process is young) */
              seconds: number;
              /** @description Orders paid */
              orders: number;
              ordersPerMinute: number;
              /** @description Totals of the orders paid, per currency */
              sales: {
                currency: string;
                /** @description Minor units */
                amount: number;
              }[];
              requests: number;
              requestsPerSecond: number;
              errorRate: number | null;
              p99LatencyMs: number | null;
              cacheHitRatio: number | null;
            };
            lastHour: {
              /** @description The span the figures cover (shorter while the process is young) */
              seconds: number;
              /** @description Orders paid */
              orders: number;
              ordersPerMinute: number;
              /** @description Totals of the orders paid, per currency */
              sales: {
                currency: string;
                /** @description Minor units */
                amount: number;
              }[];
              requests: number;
              requestsPerSecond: number;
              errorRate: number | null;
              p99LatencyMs: number | null;
              cacheHitRatio: number | null;
            };
            queues: {
              database: string;
              /** @description Jobs due and waiting for a worker */
              depth: number;
              /** @description How long the oldest due job has waited */
              oldestJobAgeSeconds: number;
              running: number;
              /** @description Out of attempts: for an operator to retry or discard */
              failed: number;
            }[];
            cacheHitRatio: number | null;
            replicas: {
              name: string;
              healthy: boolean;
              lagSeconds: number | null;
            }[];
            breakers: {
              name: string;
              /** @description closed, half_open or open */
              state: string;
            }[];
            /** @description One point per sampling interval, oldest first */
            history: {
              /** Format: date-time */
              at: string;
              /** @description The span the figures cover (shorter while the process is young) */
              seconds: number;
              /** @description Orders paid */
              orders: number;
              ordersPerMinute: number;
              /** @description Totals of the orders paid, per currency */
              sales: {
                currency: string;
                /** @description Minor units */
                amount: number;
              }[];
              requests: number;
              requestsPerSecond: number;
              errorRate: number | null;
              p99LatencyMs: number | null;
              cacheHitRatio: number | null;
            }[];
          };
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getDataPlacement: {
    parameters: {
      query?: {
        /** @description Count the rows of every sharded table (scans them) */
        rows?: boolean;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            shardMap: {
              version: number;
              logicalShards: number;
              /** @description The map version this node routes by */
              servedVersion: number;
              databases: {
                name: string;
                logicalShards: number[];
                /** @description Held by a move in progress */
                frozen: number[];
                rows: {
                  [key: string]: number;
                } | null;
              }[];
            };
            nodes: {
              nodeId: string;
              role: string;
              mapVersion: number;
              seenSecondsAgo: number;
            }[];
            stray:
              | {
                  database: string;
                  logicalShard: number;
                  rows: number;
                }[]
              | null;
            replicas: {
              enabled: boolean;
              maxLagMs: number;
              items: {
                name: string;
                /** @description Without its password */
                url: string;
                /** @description In rotation: serves reads */
                healthy: boolean;
                state: 'starting' | 'healthy' | 'lagging' | 'unreachable' | 'not_a_replica';
                lagMs: number | null;
                lagBytes: number | null;
                replayLsn: string | null;
                replayPaused: boolean | null;
                lastError: string | null;
                checkedAt: string | null;
                reads: number;
                fallbacks: number;
              }[];
            };
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  listFailedJobs: {
    parameters: {
      query?: {
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              database: string;
              id: string;
              task: string;
              attempts: number;
              maxAttempts: number;
              lastError: string | null;
              /** Format: date-time */
              runAt: string;
            }[];
          };
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  listReplicas: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            maxLagMs: number;
            checkIntervalMs: number;
            readYourWritesMs: number;
            items: {
              name: string;
              /** @description Without its password */
              url: string;
              /** @description In rotation: serves reads */
              healthy: boolean;
              state: 'starting' | 'healthy' | 'lagging' | 'unreachable' | 'not_a_replica';
              lagMs: number | null;
              lagBytes: number | null;
              replayLsn: string | null;
              replayPaused: boolean | null;
              lastError: string | null;
              checkedAt: string | null;
              reads: number;
              fallbacks: number;
            }[];
          };
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
  getMediaFile: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description <sha256>.webp */
        file: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The image, WebP */
      200: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content: {
          'image/webp': string;
        };
      };
      /** @description Not modified */
      304: {
        headers: {
          /** @description The version of this answer: send it back as `If-None-Match` to get a 304 */
          ETag: string;
          /** @description How long shared caches and the client may keep the answer */
          'Cache-Control': string;
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      503: components['responses']['Unavailable'];
    };
  };
}
